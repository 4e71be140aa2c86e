"""The load run of `make bench`: signed-in users on the key pages, or on the trivial view.

bench/run.py starts it headless against gunicorn on 127.0.0.1, with a fixed number of users
for a fixed time, and reads the CSV it writes. Each user signs in through the real form
(CSRF token and all), then requests pages with no pause between them, so the figures are the
server's capacity on this machine, not a think-time model.

The client plays the part of the TLS-terminating proxy production runs behind: it speaks
plain HTTP to gunicorn with `X-Forwarded-Proto: https` (BEHIND_TLS_PROXY=true). The app's
cookies are `Secure`, which an HTTP client keeps but does not send back, so the session and
CSRF cookies are sent by hand.

Environment: BENCH_SCENARIO (pages | trivial), BENCH_PASSWORD, BENCH_TIMELINE_REF,
BENCH_CLP, BENCH_MANAGER, BENCH_LEAD, and BENCH_DENSE_CLP and BENCH_DENSE_MANAGER when the
data set has a dense practice (their users are left out otherwise).
"""

import os
import re

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

SCENARIO = os.environ.get("BENCH_SCENARIO", "pages")
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
TIMELINE_REF = os.environ.get("BENCH_TIMELINE_REF", "")
PROXY = {"X-Forwarded-Proto": "https"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    username = ""

    def _cookie(self, name: str) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == name:
                return cookie.value
        return ""

    def on_start(self) -> None:
        login = "/accounts/login/"
        with self.client.get(login, headers=PROXY, name="sign in", catch_response=True) as r:
            match = TOKEN.search(r.text or "")
            if r.status_code != 200 or not match:
                r.failure(f"no sign-in form ({r.status_code})")
                raise RuntimeError("The sign-in page did not load.")
            token = match.group(1)
        with self.client.post(
            login,
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={
                **PROXY,
                "Cookie": f"csrftoken={self._cookie('csrftoken')}",
                "Referer": f"https://{self.host.split('://', 1)[1]}{login}",
            },
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"sign-in refused ({r.status_code})")
                raise RuntimeError(f"{self.username} could not sign in.")
        self.headers = {**PROXY, "Cookie": f"sessionid={self._cookie('sessionid')}"}

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")


if SCENARIO == "trivial":

    class TrivialUser(SignedIn):
        username = os.environ.get("BENCH_CLP", "bench.clp")

        @task
        def healthz(self) -> None:
            self.page("/healthz", "/healthz")

else:

    class ClpUser(SignedIn):
        weight = 6
        username = os.environ.get("BENCH_CLP", "bench.clp")

        @task
        def caseload(self) -> None:
            self.page("/participants/", "caseload")

        @task
        def timeline(self) -> None:
            self.page(f"/participants/{TIMELINE_REF}/", "participant timeline")

        @task
        def worklist(self) -> None:
            self.page("/followups/", "follow-up worklist")

        @task
        def directory(self) -> None:
            self.page("/resources/", "resource directory")

        @task
        def referrals(self) -> None:
            self.page("/referrals/", "referral list")

    class ManagerUser(SignedIn):
        weight = 2
        username = os.environ.get("BENCH_MANAGER", "bench.pm")

        @task
        def practice_dashboard(self) -> None:
            self.page("/reports/practice/", "practice dashboard")

    class LeadUser(SignedIn):
        weight = 2
        username = os.environ.get("BENCH_LEAD", "bench.lead")

        @task
        def programme_dashboard(self) -> None:
            self.page("/reports/programme/", "programme dashboard")

        @task
        def referral_statistics(self) -> None:
            self.page("/referrals/statistics/", "referral statistics")

        @task
        def practices(self) -> None:
            self.page("/practices/", "practice list")

    if os.environ.get("BENCH_DENSE_CLP") and os.environ.get("BENCH_DENSE_MANAGER"):

        class DenseClpUser(SignedIn):
            weight = 2
            username = os.environ["BENCH_DENSE_CLP"]

            @task
            def caseload(self) -> None:
                self.page("/participants/", "dense CLP caseload")

            @task
            def worklist(self) -> None:
                self.page("/followups/", "dense CLP follow-up worklist")

        class DenseManagerUser(SignedIn):
            weight = 1
            username = os.environ["BENCH_DENSE_MANAGER"]

            @task
            def practice_dashboard(self) -> None:
                self.page("/reports/practice/", "dense practice dashboard")
