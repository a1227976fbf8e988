from django.urls import path
from django.views.generic import RedirectView

from buergerticket.processes.views import register, tasks

app_name = "processes"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="processes:my_tasks"), name="home"),
    path("aufgaben/", tasks.my_tasks, name="my_tasks"),
    path("aufgaben/<int:pk>/", tasks.task_detail, name="task"),
    path("bescheide/<int:pk>/", tasks.decision_pdf, name="decision_pdf"),
    path("instanzen/<int:pk>/wiederholen/", tasks.retry, name="retry"),
    path("vorgaenge/<int:case_id>/neustart/", tasks.restart, name="restart"),
    path("vorgaenge/<int:case_id>/bescheid/", tasks.change_decision, name="change_decision"),
    path("register/", register.register_list, name="register"),
    path("register/import/", register.register_import, name="import"),
    path("register/export/", register.register_export, name="export"),
    path("register/<int:pk>/", register.model_detail, name="model"),
    path("register/<int:pk>/version/", register.model_upload, name="model_upload"),
    path("register/<int:pk>/v<int:number>/", register.version_detail, name="version"),
    path("register/<int:pk>/v<int:number>/bpmn/", register.version_xml, name="version_xml"),
    path(
        "register/<int:pk>/v<int:number>/<slug:action>/",
        register.version_action,
        name="version_action",
    ),
]
