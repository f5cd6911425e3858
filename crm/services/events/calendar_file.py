"""An event as an iCalendar file (RFC 5545), for the candidates' agendas."""

from datetime import UTC

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from crm.models import Event, EventStatus
from crm.services.events.organising import banner
from crm.services.platform import links


def ics(event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Réseau pour l'emploi BFC//CRM//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@crm-emploi-bfc")
    entry.add("dtstamp", event.updated_at.replace(tzinfo=UTC))
    entry.add("dtstart", event.starts_at.replace(tzinfo=UTC))
    entry.add("dtend", event.ends_at.replace(tzinfo=UTC))
    entry.add("summary", event.title)
    entry.add("location", event.online_url or event.venue or "")
    page = links.public_url(f"/evenements/{event.id}")
    entry.add("description", f"{event.kind.label} organisé par {banner(event)}.\n{page}")
    entry.add("url", page)
    entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
