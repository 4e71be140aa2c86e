// Follows background jobs (an import, an annual report) while they work. Each element marked
// up by templates/includes/job_progress.html names its status URL, which answers the shape
// described in practices/progress.py; its bar, label and message follow the answers, and the
// page reloads when a job finishes, so its result appears without anyone doing anything.
(function () {
  "use strict";
  const jobs = Array.from(document.querySelectorAll("[data-job-status-url]"));
  if (!jobs.length) return;

  function show(job, data) {
    const bar = job.querySelector("progress");
    const label = job.querySelector("[data-job-label]");
    const message = job.querySelector("[data-job-message]");
    if (bar) {
      if (data.value === null || data.max === null) {
        bar.removeAttribute("value");
        bar.removeAttribute("aria-valuenow");
        bar.textContent = "";
      } else {
        bar.max = data.max;
        bar.value = data.value;
        bar.setAttribute("aria-valuenow", String(data.value));
        bar.textContent = data.percent + "%";
      }
    }
    if (label) {
      // The label is announced (role="status"): change it in tens of percent, not every second.
      const step = data.percent === null ? "" : ": " + Math.floor(data.percent / 10) * 10 + "%";
      const line = data.label + step;
      if (label.textContent !== line) label.textContent = line;
    }
    if (message && message.textContent !== data.message) message.textContent = data.message;
  }

  function check(job) {
    return fetch(job.dataset.jobStatusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        show(job, data);
        return data.finished;
      });
  }

  function poll() {
    Promise.all(jobs.map(check))
      .then(function (finished) {
        if (finished.some(Boolean)) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
