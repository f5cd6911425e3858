"""Locust users for bench/serving.py: advisers who sign in, then read the companies list (two
filters), a company page, the needs list and the map's JSON, and file needs through the API. Every
answer's time is kept by group (reads, filings) and written to $BENCH_LATENCIES when Locust stops."""

import json
import os
import random
import re

from locust import HttpUser, between, events, task

from crm.services.platform.identifiers import build_siren, build_siret

LATENCIES: dict[str, list[float]] = {"read": [], "filing": []}
ERRORS: list[str] = []
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FILTERS = ("department=25&open_need=y", "basin=2711&naf_division=43", "department=71&contacted=non&days=90",
           "basin=2712&contacted=oui&days=30")
BOXES = ("4.55,46.95,5.60,47.65", "4.99,47.30,5.09,47.36", "5.90,47.15,6.10,47.30")
COMMUNES = ("21231", "25056", "89024", "71076", "39198", "58194", "70550", "90010")


@events.request.add_listener
def keep(request_type, name, response_time, response_length, exception=None, **kwargs):
    if name.startswith("connexion"):
        return
    LATENCIES["filing" if request_type == "POST" else "read"].append(response_time)
    response = kwargs.get("response")
    if response is not None and "/connexion" in getattr(response, "url", ""):
        ERRORS.append(f"{request_type} {name}: redirected to the sign-in page")
    if exception is not None:
        ERRORS.append(f"{request_type} {name}: {exception}")


@events.quitting.add_listener
def write(**_kwargs):
    with open(os.environ["BENCH_LATENCIES"], "w", encoding="utf-8") as out:
        json.dump({"latencies": LATENCIES, "errors": ERRORS[:50], "error_count": len(ERRORS)}, out)


class Adviser(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        page = self.client.get("/connexion", name="connexion").text
        with self.client.post("/connexion", name="connexion (envoi)", catch_response=True, data={
                "csrf_token": CSRF.search(page).group(1), "email": os.environ["BENCH_EMAIL"],
                "password": os.environ["BENCH_PASSWORD"]}) as answer:
            if "/connexion" in answer.url:  # refused: every read would measure the sign-in page
                answer.failure("sign-in refused")
                ERRORS.append("sign-in refused")
        self.company_ids = json.loads(os.environ["BENCH_COMPANY_IDS"])
        self.number = random.randrange(1_000_000)

    @task(3)
    def companies_list(self) -> None:
        self.client.get(f"/entreprises?{random.choice(FILTERS)}", name="/entreprises?<deux filtres>")

    @task(3)
    def company_page(self) -> None:
        self.client.get(f"/entreprises/{random.choice(self.company_ids)}", name="/entreprises/<id>")

    @task(2)
    def needs_list(self) -> None:
        self.client.get("/demandes", name="/demandes")

    @task(2)
    def map_data(self) -> None:
        self.client.get(f"/carte/entreprises.json?bbox={random.choice(BOXES)}",
                        name="/carte/entreprises.json")

    @task(2)
    def file_a_need(self) -> None:
        self.number += 1
        siret_base = f"{(os.getpid() * 7919 + self.number) % 10**8:08d}"
        self.client.post("/api/v1/needs", name="POST /api/v1/needs", json={
            "siret": build_siret(build_siren(siret_base), "0001"), "company_name": f"Charge {siret_base}",
            "commune_code": random.choice(COMMUNES), "rome_code": "D1102", "positions": 1,
            "contract_type": "cdi", "contact": {"name": "Camille Martin",
                                                "email": f"rh{siret_base}@exemple.fr"}},
            headers={"Authorization": f"Bearer {os.environ['BENCH_TOKEN']}"})

