"""Demo internal audits of the demo organisation (see iso.demo), made through the services as users would.

Two years are written out below: last year's programme, completed, and this year's, under way. One
dict per audit, with its checklist and findings; a finding that is a nonconformity carries the
story of its nonconformity (analysis, corrective actions, verification) in the same dict, and the
nonconformities found outside audits (a complaint, an external inspection, a late case) follow in
their own list. :func:`load_audits` walks that data once and takes every record through the
services and their transitions, so each state change has its log row and obeys the rules: an
auditor never audits their own unit, the lead auditor accepts the plan of their audit's
nonconformities, an action is verified by someone other than its owner, and not before the delay.

Dates: last year's audits fall on fixed days of that year; this year's, and every due date, are
counted from today, so that the demo tells something true whenever it is loaded (some items
overdue, some due within the week of the daily digest, some later).
"""

import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import Case, Timing
from iso.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DemoOrganisation, demo_signature
from iso.models import Clause, Role, Signature, User
from iso.workflows import transition_apply
from processes.models import Procedure

from . import services
from .models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateQuestion,
    CorrectiveAction,
    Finding,
    Nonconformity,
)

PLANNED, IN_PROGRESS, REPORTED, CLOSED = (
    Audit.State.PLANNED, Audit.State.IN_PROGRESS, Audit.State.REPORTED, Audit.State.CLOSED
)
MINOR, OBSERVATION = Finding.Kind.MINOR, Finding.Kind.OBSERVATION
IMPROVEMENT, GOOD_PRACTICE = Finding.Kind.IMPROVEMENT, Finding.Kind.GOOD_PRACTICE
NC = Nonconformity.State
ACTION = CorrectiveAction.State
#: The source of a nonconformity raised from a late case of the demo cases (see cases.demo).
LATE_CASE = "late_case"

#: The second internal auditor, so that each audit has a lead from outside the units it covers.
#: Made here rather than in iso.demo.PEOPLE, so ``load_demo`` does not list this login.
SECOND_AUDITOR = {
    "username": "danhgia2",
    "full_name": "Nguyễn Thị Phương Thảo",
    "job_title": "Chuyên viên Phòng Kinh tế và Hạ tầng, chuyên gia đánh giá nội bộ",
    "unit": "KTHT",
}

#: Checklist templates by clause: (question, what an auditor typically sees when it conforms).
TEMPLATES = {
    "7.5": {
        "title": "Kiểm soát thông tin dạng văn bản",
        "procedure": "QT-01",
        "questions": [
            ("Danh mục tài liệu nội bộ và tài liệu có nguồn gốc bên ngoài có được lập và cập nhật đến lần ban "
             "hành hiện hành không?",
             "Danh mục tài liệu cập nhật đến tháng trước; đối chiếu ngẫu nhiên 05 tài liệu, đúng lần ban hành."),
            ("Tài liệu có được xem xét và phê duyệt đúng thẩm quyền trước khi ban hành không?",
             "Các quy trình đều có chữ ký xem xét, phê duyệt của lãnh đạo trên trang bìa và trên phần mềm."),
            ("Tại nơi làm việc có dùng đúng lần ban hành hiện hành của quy trình, biểu mẫu không; tài liệu lỗi "
             "thời có được thu hồi hoặc đánh dấu không?",
             "Kiểm tra 06 biểu mẫu đang dùng tại bàn làm việc: đều là lần ban hành hiện hành."),
            ("Văn bản pháp luật làm căn cứ của quy trình có được cập nhật khi có thay đổi không?",
             "Căn cứ pháp lý trong quy trình khớp với văn bản còn hiệu lực; có sổ theo dõi văn bản mới."),
            ("Hồ sơ có được nhận biết, lưu trữ, bảo quản và giữ đúng thời gian lưu trong danh mục hồ sơ không?",
             "Hồ sơ xếp theo năm, có nhãn và danh mục; thời gian lưu khớp với quy trình."),
        ],
    },
    "8.5.1": {
        "title": "Tiếp nhận và trả kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa",
        "procedure": None,
        "questions": [
            ("Thủ tục hành chính có được niêm yết công khai đầy đủ, đúng quy định tại Bộ phận Một cửa và trên "
             "Cổng dịch vụ công không?",
             "Bảng niêm yết và Cổng dịch vụ công khớp với quyết định công bố thủ tục hành chính mới nhất."),
            ("Hồ sơ tiếp nhận có Phiếu tiếp nhận và hẹn trả kết quả và được cập nhật vào phần mềm một cửa điện "
             "tử không?",
             "Đối chiếu 10 hồ sơ chọn ngẫu nhiên: đều có phiếu hẹn và có trên phần mềm."),
            ("Phiếu kiểm soát quá trình giải quyết hồ sơ có được ghi đầy đủ ở từng bước, đúng thời hạn không?",
             "Phiếu kiểm soát của 10 hồ sơ ghi đủ thời điểm giao, nhận và chữ ký ở từng bước."),
            ("Hồ sơ phải bổ sung có Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ nêu rõ lý do và chỉ yêu cầu một lần "
             "không?",
             "03 hồ sơ phải bổ sung đều có phiếu nêu rõ giấy tờ còn thiếu, yêu cầu một lần."),
            ("Hồ sơ giải quyết quá hạn có Phiếu xin lỗi và hẹn lại ngày trả kết quả gửi trước hạn không?",
             "Trong kỳ không có hồ sơ quá hạn."),
            ("Sổ theo dõi hồ sơ và việc trả kết quả có được cập nhật đầy đủ không?",
             "Sổ theo dõi ghi đủ ngày trả và chữ ký của người nhận kết quả."),
        ],
    },
    "9.1.2": {
        "title": "Theo dõi sự hài lòng của người dân, tổ chức",
        "procedure": None,
        "questions": [
            ("Đơn vị có cách thu thập ý kiến đánh giá sự hài lòng của người dân, tổ chức (phiếu khảo sát, thiết "
             "bị đánh giá, Cổng dịch vụ công) không?",
             "Có phiếu khảo sát tại quầy và chức năng đánh giá trên Cổng dịch vụ công."),
            ("Kết quả khảo sát có được tổng hợp, phân tích định kỳ và báo cáo lãnh đạo không?",
             "Báo cáo tổng hợp hằng quý gửi lãnh đạo UBND."),
            ("Ý kiến không hài lòng, phản ánh, kiến nghị có được xem xét, xử lý và trả lời người phản ánh không?",
             "Sổ tiếp nhận phản ánh ghi 02 ý kiến, đều đã được trả lời trong hạn."),
            ("Kết quả theo dõi sự hài lòng có được đưa vào đầu vào của cuộc họp xem xét của lãnh đạo không?",
             "Biên bản họp xem xét của lãnh đạo có mục về sự hài lòng của người dân, tổ chức."),
        ],
    },
    "9.2": {
        "title": "Đánh giá nội bộ",
        "procedure": "QT-03",
        "questions": [
            ("Chương trình đánh giá nội bộ năm có được lập, phê duyệt và bao quát các đơn vị, các điều khoản "
             "trong phạm vi áp dụng không?",
             "Chương trình năm được Trưởng Ban chỉ đạo ISO phê duyệt, bao quát các phòng và các xã."),
            ("Chuyên gia đánh giá có được đào tạo, có chứng nhận và độc lập với đơn vị được đánh giá không?",
             "Danh sách chuyên gia đánh giá kèm chứng nhận đào tạo; không ai đánh giá đơn vị của mình."),
            ("Kế hoạch đánh giá có được thông báo trước cho đơn vị; báo cáo đánh giá có được gửi lãnh đạo và lưu "
             "hồ sơ không?",
             "Kế hoạch gửi trước 05 ngày làm việc; báo cáo lưu tại Văn phòng."),
            ("Các phát hiện của lần đánh giá trước có được khắc phục và kiểm tra xác nhận hiệu lực không?",
             "Các phiếu yêu cầu hành động khắc phục năm trước đã đóng hoặc đang được theo dõi."),
        ],
    },
    "10.2": {
        "title": "Sự không phù hợp và hành động khắc phục",
        "procedure": "QT-04",
        "questions": [
            ("Sự không phù hợp có được ghi trên phiếu yêu cầu hành động khắc phục, có khắc phục tức thời và phân "
             "tích nguyên nhân gốc không?",
             "Phiếu yêu cầu hành động khắc phục ghi đủ sự việc, việc khắc phục tức thời và phân tích 5 tại sao."),
            ("Hành động khắc phục có người chịu trách nhiệm, thời hạn và được thực hiện đúng hạn không?",
             "Các hành động đều có người thực hiện và thời hạn; đối chiếu bằng chứng hoàn thành."),
            ("Hiệu lực của hành động khắc phục có được kiểm tra xác nhận sau khi thực hiện không?",
             "Các hành động đã hoàn thành đều có ý kiến kiểm tra hiệu lực của chuyên gia đánh giá."),
            ("Đơn vị có xem xét sự không phù hợp tương tự có thể xảy ra ở nơi khác không?",
             "Phiếu có mục rà soát phạm vi ảnh hưởng, ghi kết quả rà soát tại các bộ phận khác."),
        ],
    },
}

#: Clauses outside the scope of both programmes: an agency designs no products.
EXCLUDED_CLAUSES = ["8.3"]

CRITERIA = (
    "TCVN ISO 9001:2015; chính sách, mục tiêu chất lượng và các quy trình của Hệ thống quản lý chất lượng "
    "UBND huyện; các văn bản pháp luật về giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông."
)

OBJECTIVES = (
    "Đánh giá sự phù hợp và hiệu lực của Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 tại các phòng "
    "chuyên môn, Bộ phận Một cửa và UBND các xã; xác định cơ hội cải tiến; cung cấp đầu vào cho cuộc họp xem xét "
    "của lãnh đạo (Quyết định số 19/2014/QĐ-TTg: đánh giá nội bộ ít nhất một lần mỗi năm)."
)

# A finding names a checklist question as (template clause, question number from 1). A nonconformity
# (in a finding or in NONCONFORMITIES) goes as far as "state": analysis ("correction", "whys", the
# last why being the root cause, "extent"), then "actions", each as far as its own "state". An
# action's owner is the nonconformity's unless it names one; "finished" is how many days ago it was
# done (an action to be verified is moved past the verification delay); "due" is always days from
# today, and so is "closed", the day a closed nonconformity was closed (on time or not, after its
# actions' verification delay), which the objectives' indicator of closing on time reads. An action found not effective is reissued ("reissue") and taken further in its turn.

#: The programmes: "year" counts from this year; last year's audits are on fixed days of that year
#: ("on": month, day), this year's are counted from today ("in_days").
PROGRAMMES = [
    {
        "year": -1,
        "approver": "lanhdao",
        "state": AuditProgramme.State.COMPLETED,
        "audits": [
            {
                "title": "Đánh giá Văn phòng HĐND và UBND huyện, Bộ phận Một cửa và Phòng Tư pháp",
                "units": ["VP", "MC", "TP"],
                "procedures": ["QT-01", "QT-02", "QT-08"],
                "clauses": ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "7.5", "8.2", "8.5", "9.1.2"],
                "on": (3, 10), "days": 3,
                "lead": "danhgia", "team": ["danhgia2"],
                "state": CLOSED,
                "checklist": ["7.5", "8.5.1", "9.1.2"],
                "summary": (
                    "Hệ thống quản lý chất lượng tại Văn phòng, Bộ phận Một cửa và Phòng Tư pháp được duy trì phù hợp "
                    "với TCVN ISO 9001:2015. Ghi nhận 02 điểm không phù hợp nhẹ (dùng biểu mẫu hết hiệu lực; thiếu "
                    "Phiếu xin lỗi khi trả hồ sơ quá hạn), 01 điểm lưu ý, 01 cơ hội cải tiến và 01 thực hành tốt "
                    "tại Bộ phận Một cửa."
                ),
                "findings": [
                    {
                        "kind": MINOR, "clause": "7.5.3", "unit": "TP", "procedure": "QT-08", "item": ("7.5", 3),
                        "statement": "Phòng Tư pháp còn dùng mẫu Sổ chứng thực bản sao từ bản chính của lần ban hành "
                                     "trước, trong khi QT-08 đã được ban hành lại với mẫu sổ mới.",
                        "evidence": "Sổ chứng thực quyển số 02, trang 1 đến 35; Danh mục tài liệu nội bộ cập nhật "
                                    "ngày 15/01.",
                        "representative": "Phạm Văn Đức, Trưởng phòng Tư pháp",
                        "owner": "cb.tuphap", "due": -200, "closed": -210, "state": NC.CLOSED,
                        "correction": "Thay ngay sổ theo mẫu hiện hành; chuyển các số đã ghi sang sổ mới, có xác "
                                      "nhận của Trưởng phòng.",
                        "whys": [
                            "Sổ được in sẵn từ đầu năm theo mẫu cũ.",
                            "Khi quy trình được ban hành lại, người ghi sổ không được báo biểu mẫu đã thay đổi.",
                            "QT-01 chỉ yêu cầu gửi quy trình mới, không yêu cầu thông báo danh sách biểu mẫu thay "
                            "đổi tới người sử dụng.",
                        ],
                        "extent": "Kiểm tra biểu mẫu đang dùng tại Bộ phận Một cửa và UBND 03 xã: không có trường "
                                  "hợp tương tự.",
                        "actions": [
                            {"do": "Bổ sung vào QT-01 bước thông báo danh sách biểu mẫu thay đổi tới người sử dụng "
                                   "khi ban hành lại quy trình.",
                             "owner": "lanhdao2", "due": -250, "state": ACTION.VERIFIED_EFFECTIVE, "finished": -255,
                             "done": "QT-01 ban hành lại, có bước “Thông báo biểu mẫu thay đổi”.",
                             "checked": "Lần ban hành lại QT-06 gần nhất có thông báo biểu mẫu thay đổi gửi Phòng "
                                        "Tư pháp và các xã."},
                            {"do": "Rà soát toàn bộ sổ, biểu mẫu đang dùng tại Phòng Tư pháp so với danh mục biểu "
                                   "mẫu hiện hành.",
                             "due": -240, "state": ACTION.VERIFIED_EFFECTIVE, "finished": -245,
                             "done": "Đã rà soát 14 biểu mẫu; thay 02 mẫu cũ.",
                             "checked": "Kiểm tra lại tại phòng: sổ và biểu mẫu đều đúng lần ban hành hiện hành."},
                        ],
                    },
                    {
                        "kind": MINOR, "clause": "8.5.1", "unit": "MC", "item": ("8.5.1", 5),
                        "statement": "04 hồ sơ giải quyết quá hạn trong quý I không có Phiếu xin lỗi và hẹn lại "
                                     "ngày trả kết quả (mẫu 04, Thông tư số 01/2018/TT-VPCP).",
                        "evidence": "Phần mềm một cửa điện tử: 04 hồ sơ chứng thực và đăng ký hộ kinh doanh trả "
                                    "quá hạn 1 đến 3 ngày; hồ sơ giấy không có phiếu xin lỗi.",
                        "representative": "Hoàng Thị Lan, công chức Bộ phận Một cửa",
                        "owner": "canbo", "due": -200, "closed": -85, "state": NC.CLOSED,
                        "correction": "Gửi Phiếu xin lỗi cho 04 người có hồ sơ quá hạn; nhắc công chức Bộ phận Một "
                                      "cửa quy định về phiếu xin lỗi.",
                        "whys": [
                            "Công chức không biết hồ sơ sắp quá hạn.",
                            "Phần mềm không cảnh báo hồ sơ sắp đến hạn.",
                            "Chưa có ai được giao theo dõi hằng ngày danh sách hồ sơ sắp đến hạn.",
                        ],
                        "extent": "Rà soát hồ sơ quá hạn trong năm tại UBND các xã: 02 hồ sơ tại xã An Phú cũng "
                                  "thiếu phiếu xin lỗi.",
                        "actions": [
                            {"do": "Giao công chức trực Bộ phận Một cửa kiểm tra danh sách hồ sơ sắp đến hạn mỗi "
                                   "sáng và báo phòng chuyên môn.",
                             "due": -260, "state": ACTION.NOT_EFFECTIVE, "finished": -250,
                             "done": "Đã phân công trực; có sổ ghi việc kiểm tra hằng ngày.",
                             "checked": "Một tháng sau vẫn có 02 hồ sơ quá hạn không có phiếu xin lỗi: ngày người "
                                        "trực nghỉ không ai kiểm tra thay. Hành động chưa có hiệu lực.",
                             "reissue": {
                                 "due": -150, "state": ACTION.VERIFIED_EFFECTIVE, "finished": -120,
                                 "done": "Bật cảnh báo trên phần mềm một cửa: tin nhắn cho người xử lý và lãnh đạo "
                                         "phòng trước hạn 01 ngày; phân công người trực thay.",
                                 "checked": "Ba tháng sau: mọi hồ sơ quá hạn đều có phiếu xin lỗi gửi trước hạn.",
                             }},
                        ],
                    },
                    {
                        "kind": OBSERVATION, "clause": "9.1.2", "unit": "MC", "item": ("9.1.2", 2),
                        "statement": "Phiếu khảo sát sự hài lòng thu tại quầy chưa được tổng hợp hằng quý; mới tổng "
                                     "hợp một lần vào cuối năm trước.",
                        "evidence": "Hộp phiếu khảo sát tại quầy; báo cáo tổng hợp gần nhất lập tháng 12.",
                        "response": "Văn phòng giao Bộ phận Một cửa tổng hợp phiếu khảo sát vào tuần cuối mỗi quý, "
                                    "báo cáo Chánh Văn phòng.",
                    },
                    {
                        "kind": GOOD_PRACTICE, "clause": "8.5.1", "unit": "MC", "item": ("8.5.1", 2),
                        "statement": "Bộ phận Một cửa có màn hình tra cứu tình trạng hồ sơ và in mã QR trên Phiếu "
                                     "hẹn để người dân tự theo dõi hồ sơ.",
                        "evidence": "Quan sát tại quầy; Phiếu tiếp nhận và hẹn trả kết quả có mã QR.",
                    },
                    {
                        "kind": IMPROVEMENT, "clause": "7.5", "unit": "VP", "item": ("7.5", 4),
                        "statement": "Có thể lập danh mục văn bản pháp luật theo từng quy trình trên phần mềm để "
                                     "được nhắc rà soát khi văn bản hết hiệu lực.",
                        "evidence": "Danh mục tài liệu bên ngoài đang lập trên bảng tính, cập nhật thủ công.",
                        "response": "Thư ký ISO đưa vào kế hoạch cải tiến năm sau, cùng với việc triển khai phần "
                                    "mềm quản lý ISO.",
                    },
                ],
            },
            {
                "title": "Đánh giá Phòng Tài chính - Kế hoạch và Phòng Nội vụ",
                "units": ["TCKH", "NV"],
                "procedures": ["QT-07"],
                "clauses": ["6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "7.4", "7.5", "8.1", "9.1", "9.2"],
                "on": (6, 16), "days": 2,
                "lead": "danhgia2", "team": [],
                "state": CLOSED,
                "checklist": ["7.5", "8.5.1"],
                "summary": (
                    "Hai phòng áp dụng đầy đủ các quy trình của hệ thống. Ghi nhận 02 điểm không phù hợp nhẹ (chưa "
                    "theo dõi mục tiêu chất lượng 6 tháng; hồ sơ đăng ký hộ kinh doanh thiếu Phiếu kiểm soát), 01 "
                    "điểm lưu ý về đào tạo và 01 cơ hội cải tiến."
                ),
                "findings": [
                    {
                        "kind": MINOR, "clause": "6.2", "unit": "TCKH",
                        "statement": "Phòng Tài chính - Kế hoạch chưa đánh giá mức độ đạt mục tiêu chất lượng 6 "
                                     "tháng đầu năm như kế hoạch thực hiện mục tiêu đã đề ra.",
                        "evidence": "Kế hoạch thực hiện mục tiêu chất lượng năm của phòng; không có báo cáo đánh "
                                    "giá 6 tháng.",
                        "representative": "Đặng Văn Long, chuyên viên Phòng Tài chính - Kế hoạch",
                        "owner": "cb.dkkd", "due": -120, "closed": -125, "state": NC.CLOSED,
                        "correction": "Lập ngay báo cáo đánh giá mức độ đạt mục tiêu 6 tháng, trình lãnh đạo phòng.",
                        "whys": [
                            "Không ai lập báo cáo 6 tháng.",
                            "Kế hoạch mục tiêu không ghi người chịu trách nhiệm theo dõi.",
                            "Mẫu kế hoạch thực hiện mục tiêu chất lượng không có cột người theo dõi và thời điểm "
                            "đánh giá.",
                        ],
                        "extent": "Rà soát kế hoạch mục tiêu của các phòng: Phòng Kinh tế và Hạ tầng cùng tình trạng, "
                                  "đã nhắc bổ sung.",
                        "actions": [
                            {"do": "Bổ sung cột người theo dõi và thời điểm đánh giá vào kế hoạch thực hiện mục tiêu "
                                   "chất lượng; giao chuyên viên theo dõi hằng quý.",
                             "due": -170, "state": ACTION.VERIFIED_EFFECTIVE, "finished": -160,
                             "done": "Kế hoạch mục tiêu đã sửa; ông Đặng Văn Long theo dõi hằng quý.",
                             "checked": "Có báo cáo đánh giá mục tiêu quý III và quý IV, lập đúng hạn."},
                        ],
                    },
                    {
                        "kind": OBSERVATION, "clause": "7.2", "unit": "NV",
                        "statement": "Hồ sơ của 02 công chức mới tuyển dụng chưa có kế hoạch bồi dưỡng về Hệ thống "
                                     "quản lý chất lượng.",
                        "evidence": "Hồ sơ công chức tuyển dụng tháng 4; kế hoạch đào tạo năm chưa cập nhật.",
                        "representative": "Đỗ Minh Tuấn, Phó Trưởng phòng Nội vụ",
                        "response": "Phòng Nội vụ bổ sung 02 công chức vào lớp tập huấn Hệ thống quản lý chất lượng "
                                    "quý III.",
                    },
                    {
                        "kind": IMPROVEMENT, "clause": "7.1.6", "unit": "TCKH", "procedure": "QT-07",
                        "item": ("8.5.1", 4),
                        "statement": "Có thể soạn bộ câu hỏi thường gặp về đăng ký hộ kinh doanh để giảm số hồ sơ "
                                     "phải bổ sung.",
                        "evidence": "12 trên 60 hồ sơ đăng ký hộ kinh doanh quý II phải bổ sung, phần lớn thiếu bản "
                                    "sao giấy tờ pháp lý.",
                        "response": "Phòng cùng Bộ phận Một cửa đăng bộ câu hỏi thường gặp trên trang thông tin "
                                    "điện tử của huyện trong quý III.",
                    },
                    {
                        "kind": MINOR, "clause": "7.5.3", "unit": "TCKH", "procedure": "QT-07", "item": ("7.5", 5),
                        "statement": "05 hồ sơ đăng ký hộ kinh doanh lưu tại phòng không có Phiếu kiểm soát quá "
                                     "trình giải quyết hồ sơ.",
                        "evidence": "Hồ sơ lưu tháng 5: 05 trên 20 hồ sơ được kiểm tra.",
                        "representative": "Đặng Văn Long, chuyên viên Phòng Tài chính - Kế hoạch",
                        "owner": "cb.dkkd", "due": -40, "state": NC.IN_ACTION,
                        "correction": "Bổ sung Phiếu kiểm soát cho 05 hồ sơ theo dữ liệu trên phần mềm một cửa.",
                        "whys": [
                            "Phiếu kiểm soát không được chuyển kèm hồ sơ từ Bộ phận Một cửa.",
                            "Hồ sơ được chuyển qua phần mềm; bản giấy chuyển sau, theo lô.",
                            "Chưa có quy định bàn giao hồ sơ giấy kèm Phiếu kiểm soát giữa Bộ phận Một cửa và phòng.",
                        ],
                        "extent": "Có thể xảy ra với mọi thủ tục do phòng giải quyết.",
                        "actions": [
                            {"do": "Thống nhất với Bộ phận Một cửa việc bàn giao hồ sơ giấy kèm Phiếu kiểm soát, có "
                                   "sổ giao nhận.",
                             "due": -60, "state": ACTION.DONE, "finished": -65,
                             "done": "Có sổ giao nhận hồ sơ giữa Bộ phận Một cửa và phòng."},
                            {"do": "Dùng Phiếu kiểm soát điện tử trên phần mềm một cửa, không phụ thuộc bản giấy.",
                             "due": -20, "state": ACTION.IN_PROGRESS},
                        ],
                    },
                ],
            },
            {
                "title": "Đánh giá Phòng Kinh tế và Hạ tầng, UBND xã An Phú và UBND xã Hòa Bình",
                "units": ["KTHT", "XAP", "XHB"],
                "procedures": ["QT-06", "QT-10"],
                "clauses": ["8.2", "8.4", "8.5", "8.6", "8.7", "9.1.2", "10.1", "10.2", "10.3"],
                "on": (10, 6), "days": 3,
                "lead": "danhgia", "team": [],
                "state": CLOSED,
                "checklist": ["8.5.1", "9.1.2", "10.2"],
                "summary": (
                    "Việc giải quyết thủ tục hành chính tại phòng và hai xã cơ bản đúng quy trình. Ghi nhận 02 điểm "
                    "không phù hợp nhẹ (hồ sơ không cập nhật vào phần mềm; niêm yết thủ tục không cập nhật), 01 điểm "
                    "lưu ý, 01 cơ hội cải tiến; cách lấy ý kiến người dân bằng mã QR của xã An Phú là thực hành tốt "
                    "nên nhân rộng."
                ),
                "findings": [
                    {
                        "kind": MINOR, "clause": "8.5.1", "unit": "XAP", "procedure": "QT-06", "item": ("8.5.1", 2),
                        "statement": "05 hồ sơ đăng ký khai sinh nộp trực tiếp chỉ được ghi vào sổ, không cập nhật "
                                     "vào phần mềm một cửa điện tử.",
                        "evidence": "Sổ đăng ký khai sinh tháng 9, số 112 đến 116; không có trên phần mềm.",
                        "representative": "Lý Thị Mai, công chức Tư pháp - Hộ tịch xã An Phú",
                        "owner": "hotich.anphu", "due": -200, "closed": -205, "state": NC.CLOSED,
                        "correction": "Cập nhật ngay 05 hồ sơ vào phần mềm.",
                        "whys": [
                            "Đường truyền của xã bị gián đoạn trong tuần đó.",
                            "Công chức ghi sổ để giải quyết kịp, định cập nhật sau nhưng bỏ sót.",
                            "Chưa có quy định cập nhật bù và đối chiếu sổ với phần mềm khi mất kết nối.",
                        ],
                        "extent": "UBND xã Hòa Bình và xã Tân Lập cũng từng mất kết nối: áp dụng chung hướng dẫn.",
                        "actions": [
                            {"do": "Ban hành hướng dẫn cập nhật bù hồ sơ khi mất kết nối và đối chiếu sổ với phần "
                                   "mềm cuối mỗi tuần, áp dụng cho cả 03 xã.",
                             "due": -250, "state": ACTION.VERIFIED_EFFECTIVE, "finished": -245,
                             "done": "Hướng dẫn đã gửi 03 xã; có biên bản đối chiếu hằng tuần.",
                             "checked": "Đối chiếu sổ và phần mềm 3 tháng tại xã An Phú: khớp toàn bộ."},
                        ],
                    },
                    {
                        "kind": MINOR, "clause": "8.2.1", "unit": "XHB", "item": ("8.5.1", 1),
                        "statement": "Bảng niêm yết tại Bộ phận Một cửa xã Hòa Bình còn 03 thủ tục đã bị bãi bỏ và "
                                     "thiếu 02 thủ tục mới được công bố.",
                        "evidence": "Bảng niêm yết tại trụ sở; quyết định công bố danh mục thủ tục hành chính của "
                                    "Chủ tịch UBND tỉnh.",
                        "representative": "Tạ Văn Hải, công chức Văn phòng - Thống kê xã Hòa Bình",
                        "owner": "vanphong.hoabinh", "due": 10, "state": NC.AWAITING_VERIFICATION,
                        "correction": "Gỡ 03 thủ tục đã bãi bỏ; niêm yết bổ sung 02 thủ tục mới.",
                        "whys": [
                            "Công chức không biết có quyết định công bố mới.",
                            "Quyết định công bố đến Chủ tịch UBND xã qua hệ thống văn bản điện tử, không được "
                            "chuyển cho người phụ trách niêm yết.",
                            "Chưa phân công người theo dõi quyết định công bố thủ tục hành chính của tỉnh.",
                        ],
                        "actions": [
                            {"do": "Phân công công chức Văn phòng - Thống kê theo dõi quyết định công bố thủ tục "
                                   "hành chính hằng tuần và cập nhật niêm yết trong 05 ngày làm việc.",
                             "due": -30, "state": ACTION.DONE, "finished": -40,
                             "done": "Quyết định phân công của Chủ tịch UBND xã; sổ theo dõi cập nhật niêm yết."},
                        ],
                    },
                    {
                        "kind": OBSERVATION, "clause": "8.7", "unit": "KTHT", "procedure": "QT-10",
                        "statement": "Hồ sơ cấp giấy phép xây dựng bị trả lại vì không đủ điều kiện chưa được thống "
                                     "kê và phân tích nguyên nhân.",
                        "evidence": "Sổ theo dõi hồ sơ: 07 hồ sơ bị trả lại trong 9 tháng, không có tổng hợp.",
                        "response": "Phòng lập bảng theo dõi hồ sơ bị trả lại theo nguyên nhân, báo cáo 6 tháng "
                                    "một lần.",
                    },
                    {
                        "kind": GOOD_PRACTICE, "clause": "9.1.2", "unit": "XAP", "item": ("9.1.2", 1),
                        "statement": "UBND xã An Phú lấy ý kiến người dân bằng mã QR tại quầy: 312 lượt đánh giá "
                                     "trong 9 tháng, 98% hài lòng.",
                        "evidence": "Báo cáo khảo sát sự hài lòng quý III của xã.",
                    },
                    {
                        "kind": IMPROVEMENT, "clause": "8.5.1", "unit": "KTHT", "procedure": "QT-10",
                        "statement": "Có thể nhắn tin cho người dân khi giấy phép xây dựng có kết quả, để họ không "
                                     "phải đến hỏi.",
                        "evidence": "Công chức tiếp nhận cho biết trung bình 5 lượt mỗi tuần người dân đến hỏi tình "
                                    "trạng hồ sơ.",
                        "response": "Phòng đề nghị Văn phòng bật chức năng gửi tin nhắn của phần mềm một cửa.",
                    },
                ],
            },
        ],
    },
    {
        "year": 0,
        "approver": "lanhdao",
        "state": AuditProgramme.State.IN_PROGRESS,
        "audits": [
            {
                "title": "Đánh giá Văn phòng HĐND và UBND huyện và Bộ phận Một cửa",
                "units": ["VP", "MC"],
                "procedures": ["QT-01", "QT-04", "QT-08"],
                "clauses": ["4.4", "5.3", "7.5", "8.2", "8.5.1", "8.7", "9.1.2", "10.2"],
                "in_days": -250, "days": 2,
                "lead": "danhgia", "team": ["danhgia2"],
                "state": CLOSED,
                "checklist": ["7.5", "8.5.1", "10.2"],
                "summary": (
                    "Các điểm không phù hợp của năm trước tại Văn phòng và Bộ phận Một cửa đã được khắc phục có hiệu "
                    "lực. Ghi nhận 03 điểm không phù hợp nhẹ (Phiếu kiểm soát ghi thiếu; tài liệu lỗi thời trên thư "
                    "mục dùng chung; ý kiến không hài lòng chưa được xử lý), 01 điểm lưu ý và 01 thực hành tốt."
                ),
                "findings": [
                    {
                        "kind": MINOR, "clause": "8.5.1", "unit": "MC", "procedure": "QT-08", "item": ("8.5.1", 3),
                        "statement": "Phiếu kiểm soát quá trình của 03 hồ sơ chứng thực không ghi thời điểm chuyển hồ "
                                     "sơ giữa các bước.",
                        "evidence": "Hồ sơ chứng thực số 045, 051 và 063 tháng 2.",
                        "representative": "Bùi Văn Khánh, công chức Bộ phận Một cửa",
                        "owner": "motcua2", "due": -10, "state": NC.IN_ACTION,
                        "correction": "Ghi bổ sung thời điểm chuyển bước vào 03 phiếu theo nhật ký của phần mềm.",
                        "whys": [
                            "Công chức chỉ ký nhận, không ghi giờ chuyển.",
                            "Cột thời gian trên mẫu phiếu in quá hẹp.",
                            "Mẫu phiếu đang in không theo đúng mẫu 05 của Thông tư số 01/2018/TT-VPCP.",
                        ],
                        "extent": "Kiểm tra thêm 20 phiếu của các thủ tục khác: ghi đầy đủ.",
                        "actions": [
                            {"do": "In lại Phiếu kiểm soát theo đúng mẫu 05 của Thông tư số 01/2018/TT-VPCP.",
                             "due": -60, "state": ACTION.DONE, "finished": -70,
                             "done": "Dùng mẫu phiếu mới từ đầu tháng 5."},
                            {"do": "Tập huấn lại cách ghi Phiếu kiểm soát cho công chức Bộ phận Một cửa và UBND "
                                   "các xã.",
                             "due": -14, "state": ACTION.IN_PROGRESS},
                        ],
                    },
                    {
                        "kind": MINOR, "clause": "7.5.3", "unit": "VP", "procedure": "QT-01", "item": ("7.5", 3),
                        "statement": "Thư mục dùng chung của cơ quan còn QT-01 lần ban hành đầu đã hết hiệu lực, "
                                     "không có dấu hiệu nhận biết tài liệu lỗi thời.",
                        "evidence": "Thư mục “ISO/Quy trình” trên máy chủ của Văn phòng.",
                        "representative": "Lê Thị Minh Tâm, Chánh Văn phòng",
                        "owner": "lanhdao2", "due": -120, "closed": -105, "state": NC.CLOSED,
                        "correction": "Chuyển bản hết hiệu lực sang thư mục “Tài liệu hết hiệu lực” chỉ Thư ký ISO "
                                      "được mở.",
                        "whys": [
                            "Khi ban hành lại chỉ chép thêm bản mới vào thư mục.",
                            "Không có bước thu hồi bản cũ trên thư mục dùng chung.",
                            "QT-01 chỉ quy định thu hồi bản giấy, chưa quy định với bản điện tử.",
                        ],
                        "extent": "Rà soát thư mục dùng chung của các phòng: Phòng Tư pháp còn 01 biểu mẫu cũ, đã "
                                  "xử lý.",
                        "actions": [
                            {"do": "Sửa QT-01: ban hành và thu hồi tài liệu trên phần mềm quản lý ISO, không phân "
                                   "phối tài liệu qua thư mục dùng chung.",
                             "due": -150, "state": ACTION.VERIFIED_EFFECTIVE, "finished": -140,
                             "done": "Tài liệu được phân phối qua phần mềm; thư mục dùng chung đã khóa.",
                             "checked": "Kiểm tra máy tính của 05 công chức: không còn bản quy trình hết hiệu lực."},
                        ],
                    },
                    {
                        "kind": OBSERVATION, "clause": "5.3", "unit": "VP",
                        "statement": "Quyết định kiện toàn Ban chỉ đạo ISO chưa được cập nhật sau khi thay đổi Phó "
                                     "Chủ tịch UBND huyện phụ trách.",
                        "evidence": "Quyết định thành lập Ban chỉ đạo ISO hiện hành; danh sách lãnh đạo UBND huyện.",
                        "response": "Văn phòng trình Chủ tịch UBND huyện ban hành quyết định kiện toàn trong tháng.",
                    },
                    {
                        "kind": GOOD_PRACTICE, "clause": "10.2", "unit": "MC", "item": ("10.2", 3),
                        "statement": "Các phiếu yêu cầu hành động khắc phục của đợt đánh giá năm trước đều được kiểm "
                                     "tra hiệu lực, có bằng chứng kèm theo.",
                        "evidence": "Các phiếu yêu cầu hành động khắc phục và bằng chứng trên phần mềm.",
                    },
                    {
                        "kind": MINOR, "clause": "9.1.2", "unit": "MC",
                        "statement": "06 ý kiến không hài lòng trong quý I chưa được phân tích nguyên nhân và chưa "
                                     "được trả lời.",
                        "evidence": "Báo cáo khảo sát quý I; sổ theo dõi phản ánh không ghi việc xử lý.",
                        "representative": "Hoàng Thị Lan, công chức Bộ phận Một cửa",
                        "owner": "canbo", "due": 5, "state": NC.ACTION_PLANNED,
                        "correction": "Liên hệ, trả lời 06 người có ý kiến không hài lòng.",
                        "whys": [
                            "Báo cáo khảo sát chỉ nêu tỷ lệ hài lòng.",
                            "Mẫu báo cáo không có phần phân tích ý kiến không hài lòng.",
                            "Chưa quy định ai xử lý ý kiến không hài lòng và trong bao lâu.",
                        ],
                        "actions": [
                            {"do": "Bổ sung vào mẫu báo cáo khảo sát phần phân tích nguyên nhân và việc trả lời từng "
                                   "ý kiến không hài lòng.",
                             "due": 5, "state": ACTION.PLANNED},
                            {"do": "Giao công chức Bộ phận Một cửa trả lời ý kiến không hài lòng trong 05 ngày làm "
                                   "việc, ghi vào sổ theo dõi.",
                             "owner": "motcua2", "due": 20, "state": ACTION.PLANNED},
                        ],
                    },
                ],
            },
            {
                "title": "Đánh giá Phòng Tư pháp và UBND xã An Phú",
                "units": ["TP", "XAP"],
                "procedures": ["QT-06", "QT-08"],
                "clauses": ["7.1", "7.2", "7.5", "8.1", "8.5.1", "9.1.2", "10.2"],
                "in_days": -150, "days": 2,
                "lead": "danhgia2", "team": ["danhgia"],
                "state": REPORTED,
                "checklist": ["7.5", "8.5.1", "9.1.2"],
                "summary": (
                    "Phòng Tư pháp và UBND xã An Phú giải quyết hồ sơ đúng hạn. Ghi nhận 02 điểm không phù hợp nhẹ "
                    "(thiếu chữ ký duyệt trên Phiếu kiểm soát; số chứng thực bỏ trống không ghi lý do), 01 điểm lưu ý "
                    "về đào tạo công chức mới, 01 cơ hội cải tiến và 01 thực hành tốt."
                ),
                "findings": [
                    {
                        "kind": MINOR, "clause": "8.5.1", "unit": "XAP", "procedure": "QT-06", "item": ("8.5.1", 3),
                        "statement": "Phiếu kiểm soát của 02 hồ sơ đăng ký khai sinh không có chữ ký của lãnh đạo UBND "
                                     "xã ở bước ký duyệt.",
                        "evidence": "Hồ sơ khai sinh số 201 và 207 tháng 6, Phiếu kiểm soát bước 3.",
                        "representative": "Phan Văn Bình, Chủ tịch UBND xã An Phú",
                        "owner": "hotich.anphu", "due": 15, "state": NC.ANALYSED,
                        "correction": "Trình Chủ tịch UBND xã ký bổ sung 02 phiếu.",
                        "whys": [
                            "Lãnh đạo ký giấy khai sinh nhưng không ký Phiếu kiểm soát.",
                            "Phiếu kiểm soát để riêng, không kẹp cùng giấy tờ trình ký.",
                            "Quy trình không nêu Phiếu kiểm soát phải đi kèm hồ sơ ở bước trình ký.",
                        ],
                        "extent": "Kiểm tra hồ sơ hộ tịch tháng 7 của xã Hòa Bình và xã Tân Lập.",
                    },
                    {
                        "kind": MINOR, "clause": "7.5.3", "unit": "TP", "procedure": "QT-08", "item": ("7.5", 5),
                        "statement": "Sổ chứng thực bản sao từ bản chính có 04 số chứng thực bỏ trống, không ghi "
                                     "lý do.",
                        "evidence": "Sổ chứng thực quyển 03, các số 1.245 đến 1.248.",
                        "representative": "Ngô Thị Thanh Hương, chuyên viên Phòng Tư pháp",
                        "owner": "cb.tuphap", "due": -5, "state": NC.OPEN,
                    },
                    {
                        "kind": OBSERVATION, "clause": "7.2", "unit": "XAP",
                        "statement": "Công chức mới được bố trí tại Bộ phận Một cửa xã chưa được tập huấn về Hệ thống "
                                     "quản lý chất lượng và quy trình giải quyết thủ tục hành chính.",
                        "evidence": "Hồ sơ đào tạo của xã; trao đổi trực tiếp với công chức.",
                        # No response yet: the reported audit cannot close until there is one.
                    },
                    {
                        "kind": IMPROVEMENT, "clause": "9.1.2", "unit": "TP", "item": ("9.1.2", 2),
                        "statement": "Có thể gộp khảo sát sự hài lòng của Phòng Tư pháp vào khảo sát chung của Bộ "
                                     "phận Một cửa để người dân không phải trả lời hai lần.",
                        "evidence": "Hai mẫu phiếu khảo sát khác nhau đang dùng cho cùng thủ tục chứng thực.",
                        "response": "Phòng Tư pháp dùng chung mẫu phiếu của Bộ phận Một cửa từ quý III.",
                    },
                    {
                        "kind": GOOD_PRACTICE, "clause": "8.1", "unit": "TP",
                        "statement": "Phòng Tư pháp phân công xử lý hồ sơ chứng thực theo ngày; không có hồ sơ quá "
                                     "hạn trong 6 tháng.",
                        "evidence": "Bảng phân công; báo cáo 6 tháng của phần mềm một cửa.",
                    },
                ],
            },
            {
                "title": "Đánh giá lãnh đạo UBND huyện, Phòng Tài chính - Kế hoạch và Phòng Nội vụ",
                "units": ["HQT", "TCKH", "NV"],
                "procedures": ["QT-03", "QT-05", "QT-07"],
                "clauses": ["4.1", "4.2", "5.1", "5.2", "6.1", "6.2", "9.2", "9.3", "10.3"],
                "in_days": -1, "days": 3,
                "lead": "danhgia2", "team": [],
                "state": IN_PROGRESS,
                "checklist": ["9.2", "10.2"],
                # The audit is under way: the last questions are not answered yet.
                "answered": 6,
                "findings": [
                    {
                        "kind": MINOR, "clause": "9.3", "unit": "HQT", "procedure": "QT-05",
                        "statement": "Biên bản họp xem xét của lãnh đạo năm trước chưa xem xét đủ các đầu vào của "
                                     "điều 9.3.2 (thiếu sự hài lòng của người dân và hiệu lực của các hành động giải "
                                     "quyết rủi ro).",
                        "evidence": "Biên bản họp xem xét của lãnh đạo tháng 12 năm trước.",
                        "representative": "Trần Quốc Hùng, Phó Chủ tịch UBND huyện",
                        "owner": "lanhdao", "due": 30, "state": NC.OPEN,
                    },
                    {
                        "kind": OBSERVATION, "clause": "6.1", "unit": "TCKH",
                        "statement": "Sổ theo dõi rủi ro và cơ hội của phòng chưa cập nhật các rủi ro từ việc sắp xếp "
                                     "lại đơn vị hành chính.",
                        "evidence": "Sổ theo dõi rủi ro và cơ hội, cập nhật lần cuối tháng 1.",
                    },
                    {
                        "kind": GOOD_PRACTICE, "clause": "9.2", "unit": "NV", "item": ("9.2", 2),
                        "statement": "Phòng Nội vụ lưu đủ chứng nhận đào tạo của chuyên gia đánh giá nội bộ và cập "
                                     "nhật danh sách hằng năm.",
                        "evidence": "Danh sách chuyên gia đánh giá nội bộ và 06 chứng nhận đào tạo.",
                    },
                ],
            },
            {
                "title": "Đánh giá Phòng Kinh tế và Hạ tầng, UBND xã Hòa Bình và UBND xã Tân Lập",
                "units": ["KTHT", "XHB", "XTL"],
                "procedures": ["QT-09", "QT-10"],
                "clauses": ["6.3", "7.3", "7.4", "8.4", "8.5", "8.6", "9.1", "10.1"],
                "in_days": 20, "days": 3,
                "lead": "danhgia", "team": [],
                "state": PLANNED,
            },
        ],
    },
]

#: Nonconformities found outside the audits; "detected" counts from today. The late case is the
#: most recent case of the demo cases resolved late; its owner is a member of the case's unit.
NONCONFORMITIES = [
    {
        "source": Nonconformity.Source.COMPLAINT, "unit": "XHB", "clause": "8.5.1", "detected": -25,
        "description": "Công dân phản ánh trên Cổng dịch vụ công: hồ sơ đăng ký kết hôn tại UBND xã Hòa Bình bị yêu "
                       "cầu bổ sung hai lần, mỗi lần một giấy tờ khác nhau.",
        "owner": "hotich.hoabinh", "due": 20, "state": NC.AWAITING_VERIFICATION,
        "correction": "Xin lỗi công dân; giải quyết hồ sơ ngay trong ngày nhận giấy tờ bổ sung.",
        "whys": [
            "Lần kiểm tra đầu không đối chiếu đủ thành phần hồ sơ.",
            "Tại quầy không có danh mục kiểm tra thành phần hồ sơ.",
            "QT-09 chưa kèm danh mục kiểm tra thành phần hồ sơ khi tiếp nhận.",
        ],
        "extent": "Dùng danh mục kiểm tra cho các thủ tục hộ tịch tại cả 03 xã.",
        "actions": [
            {"do": "Lập danh mục kiểm tra thành phần hồ sơ đăng ký kết hôn và đăng ký khai sinh, dùng khi tiếp nhận.",
             "due": -5, "state": ACTION.DONE,
             "done": "Danh mục kiểm tra dán tại quầy và kẹp cùng Phiếu tiếp nhận từ đầu tháng."},
        ],
    },
    {
        "source": Nonconformity.Source.COMPLAINT, "unit": "KTHT", "clause": "8.5.1", "detected": -12,
        "description": "Ông Nguyễn Văn An phản ánh qua đường dây nóng: hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ "
                       "của ông bị trả kết quả chậm.",
        "owner": "cb.xaydung", "due": 10, "state": NC.REJECTED,
        "rejected": "Phần mềm một cửa cho thấy hồ sơ được trả đúng ngày hẹn trên Phiếu tiếp nhận; người nộp nhầm ngày "
                    "hẹn. Đã trả lời công dân; không phải sự không phù hợp.",
    },
    {
        "source": Nonconformity.Source.EXTERNAL_AUDIT, "unit": "VP", "clause": "4.4", "detected": -90,
        "description": "Đoàn kiểm tra của Sở Khoa học và Công nghệ ghi nhận: 02 quy trình giải quyết thủ tục hành "
                       "chính chưa được cập nhật theo văn bản pháp luật mới dù văn bản đã có hiệu lực quá 03 tháng.",
        "owner": "lanhdao2", "due": -15, "state": NC.IN_ACTION,
        "correction": "Rà soát và trình ban hành lại 02 quy trình trong tháng.",
        "whys": [
            "Không phát hiện văn bản pháp luật mới liên quan đến quy trình.",
            "Mỗi phòng tự theo dõi văn bản mới, không có đầu mối tổng hợp.",
            "Chưa có việc rà soát định kỳ căn cứ pháp lý của các quy trình.",
        ],
        "extent": "Rà soát căn cứ pháp lý của toàn bộ quy trình trong hệ thống.",
        "actions": [
            {"do": "Rà soát căn cứ pháp lý của toàn bộ quy trình, lập danh mục văn bản cần cập nhật.",
             "due": -45, "state": ACTION.DONE, "finished": -50,
             "done": "Danh mục rà soát đã trình Trưởng Ban chỉ đạo ISO."},
            {"do": "Ban hành lại QT-09 và QT-10 theo văn bản pháp luật mới.",
             "due": -7, "state": ACTION.IN_PROGRESS},
        ],
    },
    {
        "source": LATE_CASE, "due": 10, "state": NC.IN_ACTION,
        "correction": "Gửi thư xin lỗi người nộp hồ sơ; rà soát các hồ sơ cùng thủ tục đang giải quyết.",
        "whys": [
            "Hồ sơ chờ ý kiến xác minh của cơ quan khác quá thời hạn của bước.",
            "Không ai theo dõi thời hạn trả lời của cơ quan phối hợp.",
            "Quy trình chưa quy định việc đôn đốc cơ quan phối hợp khi đến hạn.",
        ],
        "actions": [
            {"do": "Đặt cảnh báo trên phần mềm khi bước chờ cơ quan phối hợp còn 01 ngày; đôn đốc và ghi vào Phiếu "
                   "kiểm soát.",
             "due": 10, "state": ACTION.IN_PROGRESS},
        ],
    },
]


class _Demo:
    """What the loader needs at hand: the people, units, clauses, procedures and templates, and today."""

    def __init__(self, organisation: DemoOrganisation):
        self.today = timezone.localdate()
        self.units = organisation.units
        self.people = {**organisation.people, SECOND_AUDITOR["username"]: _second_auditor(organisation)}
        self.by_pk = {user.pk: user for user in self.people.values()}
        self.secretary = organisation.users[Role.ISO_SECRETARY]
        self.clauses = {clause.number: clause for clause in Clause.objects.all()}
        self.procedures = Procedure.objects.in_bulk(field_name="code")
        self.templates = _templates(self.clauses, self.procedures)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def moment(self, day: datetime.date) -> datetime.datetime:
        """16:00 on ``day``, in the organisation's time zone: when the demo's past events happened."""
        return datetime.datetime.combine(day, datetime.time(16), tzinfo=timezone.get_current_timezone())

    def user(self, pk: int) -> User:
        """The demo person with this id, whose roles and permissions are already read."""
        return self.by_pk.get(pk) or User.objects.get(pk=pk)


def load_audits(organisation: DemoOrganisation) -> None:
    """Two years of internal audits and the nonconformities of the demo; skipped if any programme exists."""
    if AuditProgramme.objects.exists():
        return
    demo = _Demo(organisation)
    for spec in PROGRAMMES:
        _load_programme(spec, demo)
    for spec in NONCONFORMITIES:
        _load_nonconformity(spec, demo)


def _second_auditor(organisation: DemoOrganisation) -> User:
    username = SECOND_AUDITOR["username"]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username, full_name=SECOND_AUDITOR["full_name"], job_title=SECOND_AUDITOR["job_title"],
            unit=organisation.units[SECOND_AUDITOR["unit"]], email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            password=make_password(DEMO_PASSWORD),
        )
    user.groups.add(Group.objects.get(name=Role.INTERNAL_AUDITOR))
    # Read again: roles and permissions are cached on an instance.
    return User.objects.select_related("unit").get(pk=user.pk)


def _templates(clauses: dict[str, Clause], procedures: dict[str, Procedure]) -> dict[str, ChecklistTemplate]:
    templates = {}
    for number, spec in TEMPLATES.items():
        templates[number], created = ChecklistTemplate.objects.get_or_create(
            clause=clauses[number], title=spec["title"], defaults={"procedure": procedures.get(spec["procedure"])}
        )
        if created:
            ChecklistTemplateQuestion.objects.bulk_create(
                ChecklistTemplateQuestion(template=templates[number], position=position, question=question)
                for position, (question, _typical) in enumerate(spec["questions"], 1)
            )
    return templates


def _load_programme(spec: dict, demo: _Demo) -> None:
    year = demo.today.year + spec["year"]
    programme = services.programme_create(
        year=year, title=f"Chương trình đánh giá nội bộ năm {year}", by=demo.secretary, objectives=OBJECTIVES,
        excluded_clauses=[demo.clauses[number] for number in EXCLUDED_CLAUSES],
    )
    audits = []
    for number, audit_spec in enumerate(spec["audits"], 1):
        start, end = _planned_dates(audit_spec, year, demo.today)
        audit = services.audit_plan(
            programme=programme, by=demo.secretary, reference=f"ĐG-{year}-{number:02d}", title=audit_spec["title"],
            units=[demo.units[code] for code in audit_spec["units"]], planned_start=start, planned_end=end,
            lead_auditor=demo.people[audit_spec["lead"]], team=[demo.people[name] for name in audit_spec["team"]],
            procedures=[demo.procedures[code] for code in audit_spec["procedures"] if code in demo.procedures],
            clauses=[demo.clauses[number] for number in audit_spec["clauses"]], criteria=CRITERIA,
        )
        audits.append((audit_spec, audit))
    programme = services.programme_transition(
        programme=programme, name="approve", by=demo.people[spec["approver"]], signature=demo_signature()
    )
    programme = transition_apply(programme, "start", by=demo.secretary)
    for audit_spec, audit in audits:
        _conduct(audit, audit_spec, demo)
    if spec["state"] == AuditProgramme.State.COMPLETED:
        transition_apply(programme, "complete", by=demo.secretary)


def _planned_dates(spec: dict, year: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Last year's on their fixed day; this year's counted from today but kept inside the year."""
    if "on" in spec:
        start = datetime.date(year, *spec["on"])
    else:
        start = min(max(today + datetime.timedelta(days=spec["in_days"]), datetime.date(year, 1, 2)),
                    datetime.date(year, 12, 31))
    return start, min(start + datetime.timedelta(days=spec["days"] - 1), datetime.date(year, 12, 31))


_RESULTS = {
    Finding.Kind.MAJOR: ChecklistItem.Result.NONCONFORMITY,
    MINOR: ChecklistItem.Result.NONCONFORMITY,
    OBSERVATION: ChecklistItem.Result.OBSERVATION,
    IMPROVEMENT: ChecklistItem.Result.CONFORMS,
    GOOD_PRACTICE: ChecklistItem.Result.CONFORMS,
}


def _conduct(audit: Audit, spec: dict, demo: _Demo) -> None:
    """Prepare the checklist, hold the audit, record what was found, report and close, as far as ``spec`` goes."""
    if spec["state"] == PLANNED:
        return
    lead = demo.people[spec["lead"]]
    items = {
        number: services.checklist_add_from_template(audit=audit, template=demo.templates[number], by=lead)
        for number in spec["checklist"]
    }
    audit = transition_apply(audit, "prepare", by=lead)
    audit = transition_apply(audit, "start", by=lead)
    found = {finding["item"]: finding for finding in spec["findings"] if "item" in finding}
    questions = [(number, position) for number in spec["checklist"] for position in range(1, len(items[number]) + 1)]
    for number, position in questions[: spec.get("answered")]:
        finding = found.get((number, position))
        result, evidence = (
            (_RESULTS[finding["kind"]], finding["evidence"]) if finding
            else (ChecklistItem.Result.CONFORMS, TEMPLATES[number]["questions"][position - 1][1])
        )
        services.checklist_record(item=items[number][position - 1], by=lead, result=result, evidence=evidence)

    for finding_spec in spec["findings"]:
        number, position = finding_spec.get("item", (None, 0))
        finding = services.finding_record(
            audit=audit, by=lead, kind=finding_spec["kind"], clause=demo.clauses[finding_spec["clause"]],
            unit=demo.units[finding_spec["unit"]], statement=finding_spec["statement"],
            evidence=finding_spec["evidence"], procedure=demo.procedures.get(finding_spec.get("procedure")),
            checklist_item=items[number][position - 1] if number else None,
            auditee_representative=finding_spec.get("representative", ""),
            owner=demo.people.get(finding_spec.get("owner")),
            due_date=demo.day(finding_spec["due"]) if "due" in finding_spec else None,
            recorded_on=audit.planned_start,
        )
        if finding.is_nonconformity:
            nonconformity = Nonconformity.objects.get(finding=finding)
            _take_through(nonconformity, finding_spec, demo, accepted_by=lead, verified_by=lead)
        elif finding_spec.get("response"):
            services.finding_respond(finding=finding, by=lead, response=finding_spec["response"])

    if spec["state"] == IN_PROGRESS:
        return
    audit = services.audit_report(audit=audit, by=lead, summary=spec["summary"], signature=demo_signature())
    if audit.planned_end < demo.today:
        # Data setup, not a state change: the report was issued at the end of the audit, in the demo's past.
        Audit.objects.filter(pk=audit.pk).update(reported_at=demo.moment(audit.planned_end))
    if spec["state"] == CLOSED:
        transition_apply(audit, "close", by=lead)


def _load_nonconformity(spec: dict, demo: _Demo) -> None:
    if spec["source"] == LATE_CASE:
        case = Case.objects.filter(timing=Timing.LATE, nonconformities=None).order_by("-resolved_at").first()
        if case is None:
            return
        nonconformity = services.nonconformity_from_late_case(case=case, by=demo.secretary)
        owner = next(
            (user for user in demo.people.values()
             if user.unit_id == case.unit_id and user.has_perm("audits.handle_nonconformity")),
            demo.secretary,
        )
        nonconformity = services.nonconformity_assign(
            nonconformity=nonconformity, by=demo.secretary, owner=owner, due_date=demo.day(spec["due"])
        )
    else:
        nonconformity = services.nonconformity_raise(
            by=demo.secretary, source=spec["source"], unit=demo.units[spec["unit"]], description=spec["description"],
            clause=demo.clauses[spec["clause"]], owner=demo.people[spec["owner"]], due_date=demo.day(spec["due"]),
            detected_on=demo.day(spec["detected"]),
        )
    # Outside an audit, the ISO secretary accepts the plans and an internal auditor verifies.
    _take_through(nonconformity, spec, demo, accepted_by=demo.secretary, verified_by=demo.people["danhgia"])


def _take_through(
    nonconformity: Nonconformity, spec: dict, demo: _Demo, *, accepted_by: User, verified_by: User
) -> None:
    """Take a nonconformity from open to the state ``spec`` asks for, with its actions, as its owner would."""
    target = spec.get("state", NC.OPEN)
    if target == NC.OPEN:
        return
    if target == NC.REJECTED:
        services.nonconformity_transition(nonconformity=nonconformity, name="reject", by=verified_by,
                                          comment=spec["rejected"])
        return
    owner = demo.user(nonconformity.owner_id)
    nonconformity = services.nonconformity_analyse(
        nonconformity=nonconformity, by=owner, correction=spec["correction"], whys=spec["whys"],
        extent=spec.get("extent", ""),
    )
    if target == NC.ANALYSED:
        return
    actions = [
        (action_spec, services.corrective_action_plan(
            nonconformity=nonconformity, by=owner, description=action_spec["do"],
            owner=demo.people[action_spec["owner"]] if "owner" in action_spec else owner,
            due_date=demo.day(action_spec["due"]),
        ))
        for action_spec in spec["actions"]
    ]
    nonconformity = services.nonconformity_transition(nonconformity=nonconformity, name="plan", by=owner)
    if target == NC.ACTION_PLANNED:
        return
    nonconformity = services.nonconformity_transition(
        nonconformity=nonconformity, name="accept_plan", by=accepted_by, signature=demo_signature()
    )
    for action_spec, action in actions:
        _carry_out(action, action_spec, demo)
    if target == NC.IN_ACTION:
        return
    nonconformity = services.nonconformity_transition(
        nonconformity=nonconformity, name="request_verification", by=owner
    )
    reissues = []
    for action_spec, action in actions:
        if action_spec["state"] in (ACTION.VERIFIED_EFFECTIVE, ACTION.NOT_EFFECTIVE):
            _verify(action, action_spec, demo, verified_by)
        if "reissue" in action_spec:
            reissues.append((action_spec["reissue"], CorrectiveAction.objects.get(reissue_of=action)))
    if reissues:
        # The ineffective action sent the nonconformity back to action: its reissue is carried out in turn.
        for reissue_spec, reissue in reissues:
            _carry_out(reissue, reissue_spec, demo)
        services.nonconformity_transition(nonconformity=nonconformity, name="request_verification", by=owner)
        for reissue_spec, reissue in reissues:
            if reissue_spec["state"] == ACTION.VERIFIED_EFFECTIVE:
                _verify(reissue, reissue_spec, demo, verified_by)
    if target == NC.CLOSED:
        services.nonconformity_transition(nonconformity=nonconformity, name="close", by=verified_by)
        if "closed" in spec:
            # Data setup, not a state change: the closure is dated in the demo's past.
            Nonconformity.objects.filter(pk=nonconformity.pk).update(closed_at=demo.moment(demo.day(spec["closed"])))


def _carry_out(action: CorrectiveAction, spec: dict, demo: _Demo) -> None:
    """Start and finish an action as far as ``spec`` goes; "finished" days ago, if it says so."""
    if spec["state"] == ACTION.PLANNED:
        return
    owner = demo.user(action.owner_id)
    action = services.corrective_action_start(action=action, by=owner)
    if spec["state"] == ACTION.IN_PROGRESS:
        return
    services.corrective_action_finish(action=action, by=owner, note=spec["done"])
    days_ago = -spec.get("finished", 0)
    if spec["state"] in (ACTION.VERIFIED_EFFECTIVE, ACTION.NOT_EFFECTIVE):
        # Effectiveness is judged only after the delay: the demo's verified actions were done long enough ago.
        days_ago = max(days_ago, settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS + 1)
    if days_ago:
        # Data setup, not a state change: the demo's history starts before today.
        CorrectiveAction.objects.filter(pk=action.pk).update(
            completed_at=timezone.now() - datetime.timedelta(days=days_ago)
        )


def _verify(action: CorrectiveAction, spec: dict, demo: _Demo, verified_by: User) -> None:
    reissue = spec.get("reissue")
    services.corrective_action_verify(
        action=action, verified_by=verified_by, effective=spec["state"] == ACTION.VERIFIED_EFFECTIVE,
        note=spec["checked"], reissue_due_date=demo.day(reissue["due"]) if reissue else None,
        signature=demo_signature(Signature.Meaning.VERIFIED),
    )
