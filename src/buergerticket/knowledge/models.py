"""The knowledge base: handling instructions, reply templates and public FAQ articles.

Every change makes a new :class:`ArticleVersion`; the article row carries the
current text and its analysed search terms (see ``records.fulltext``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation, Staff


class ArticleKind(models.TextChoices):
    INSTRUCTION = "anleitung", _("Bearbeitungshinweis")
    TEMPLATE = "vorlage", _("Antwortvorlage")
    FAQ = "faq", _("Frage und Antwort")


class Article(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="articles"
    )
    slug = models.SlugField(_("Kennung"), max_length=120)
    kind = models.CharField(_("Art"), max_length=10, choices=ArticleKind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(_("Text"))
    keywords = models.CharField(_("Suchbegriffe"), max_length=300, blank=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("Leistungen"), blank=True, related_name="articles"
    )
    public = models.BooleanField(_("öffentlich (Bürgerportal)"), default=False)
    archived = models.BooleanField(_("archiviert"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    # Analysed terms for full-text search (records.fulltext.analysis).
    index_title = models.TextField(blank=True)
    index_body = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Artikel")
        verbose_name_plural = _("Artikel")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="article_slug_unique")
        ]
        indexes = [
            models.Index(fields=["organisation", "public", "archived"], name="article_public")
        ]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    keywords = models.CharField(max_length=300, blank=True)
    public = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=ArticleKind.choices)
    service_codes = models.JSONField(default=list)
    author = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    note = models.CharField(_("Änderungsnotiz"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"
