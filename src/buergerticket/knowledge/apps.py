from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "buergerticket.knowledge"
    label = "knowledge"
    verbose_name = _("Wissensdatenbank")

    def ready(self) -> None:
        from buergerticket.knowledge.panel import case_panel
        from buergerticket.knowledge.portal_provider import faq_provider
        from buergerticket.workspace import nav
        from buergerticket.workspace.views.cases import register_panel

        register_panel(case_panel)
        nav.register(_("Wissen"), "knowledge:index", order=60)
        try:
            from buergerticket.portal import search as portal_search  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            return  # the portal's search (issue 3) is not installed in this build
        portal_search.register_provider(faq_provider)
