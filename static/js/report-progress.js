// Follows reports that are being rendered: polls their status and reloads when one is done
// (or failed), so the download link or the reason appears without the user doing anything.
(function () {
  const rows = Array.from(document.querySelectorAll("[data-report-status-url]")).filter(function (row) {
    return row.dataset.reportStatus === "queued" || row.dataset.reportStatus === "running";
  });
  rows.forEach(function (row) {
    const bar = row.querySelector('[data-role="bar"]');
    const progress = row.querySelector('[role="progressbar"]');
    if (bar && progress) bar.style.width = progress.getAttribute("aria-valuenow") + "%";
  });
  if (!rows.length) return;
  function poll() {
    Promise.all(rows.map(function (row) {
      return fetch(row.dataset.reportStatusUrl, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          const bar = row.querySelector('[data-role="bar"]');
          const progress = row.querySelector('[role="progressbar"]');
          const stage = row.querySelector('[data-role="stage"]');
          const label = row.querySelector('[data-role="label"]');
          if (bar) bar.style.width = data.progress + "%";
          if (progress) progress.setAttribute("aria-valuenow", data.progress);
          if (stage) stage.textContent = data.stage;
          if (label) label.textContent = data.status_label;
          return data.status === "done" || data.status === "failed";
        });
    })).then(function (finished) {
      if (finished.some(Boolean)) {
        window.location.reload();
      } else {
        window.setTimeout(poll, 1500);
      }
    }).catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
