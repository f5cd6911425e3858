"""Committee reports: generate one (HTML then PDF through WeasyPrint), the sweep that queues
again the reports asked for while Redis or the worker was down, the daily scheduled reports and
the purge of old reports."""

import logging
from pathlib import Path

from flask import current_app

from crm.extensions import db
from crm.services.indicators import reports, schedules
from crm.services.platform import links, pdf, unit_of_work

log = logging.getLogger(__name__)
STYLESHEET = "css/committee-report.css"
PDF_MISSING = ("Le PDF n'a pas pu être produit sur ce serveur (WeasyPrint ou ses bibliothèques "
               "système manquent) : la version web, imprimable, est disponible.")


def render(content: reports.ReportContent) -> str:
    """The report as a standalone document, rendered without a request (no context processor)."""
    static = Path(current_app.static_folder or "")
    return current_app.jinja_env.get_template("reports/report.html").render(
        content=content, stylesheet=(static / STYLESHEET).read_text(encoding="utf-8"))


def generate_report(report_id: int) -> str | None:
    """Generate a pending report once (another run of the same report does nothing); on an
    error the report is marked failed with it, and the job fails."""
    report = reports.claim(report_id)
    if report is None:
        return None
    try:
        static = Path(current_app.static_folder or "")
        html = render(reports.content(report))
        try:
            document, pdf_error = pdf.html_to_pdf(html, links.public_base_url() + "/", static), None
        except pdf.PdfUnavailable as error:
            log.warning("report %s without PDF: %s", report_id, error)
            document, pdf_error = None, PDF_MISSING
        reports.store(report, html, document, pdf_error)
        unit_of_work.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("report %s failed", report_id)
        reports.fail(report_id, f"Erreur pendant la production du rapport : {error}")
        unit_of_work.commit()
        raise
    return report.status.value


def sweep_committee_reports() -> int:
    """Queue the reports still waiting (asked for while Redis or the worker was down)."""
    return reports.sweep()


def schedule_committee_reports() -> int:
    """Write the committees' scheduled reports due today (French day), each once; their commit
    queues their generation."""
    return schedules.write_due_reports()


def purge_committee_reports() -> int:
    """Delete the reports older than `CRM_REPORT_RETENTION_DAYS` and their files."""
    return reports.purge()
