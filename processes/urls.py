app_name = 'processes'
urlpatterns = []
