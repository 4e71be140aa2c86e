// Progress of an import: polls the job's status while work is under way and reloads the
// page (which then shows the preview, the problems or the result) when it stops.
(function () {
  const box = document.querySelector("[data-import-status-url]");
  if (!box) return;
  const url = box.getAttribute("data-import-status-url");
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  let shown = text.textContent;

  function show(data) {
    if (data.percent === null) {
      bar.removeAttribute("value");
      bar.textContent = "";
    } else {
      bar.max = data.total;
      bar.value = data.done;
      bar.textContent = data.percent + "%";
    }
    // The status line is announced: change it in tens of percent, not every second.
    const step = data.percent === null ? "" : ": " + Math.floor(data.percent / 10) * 10 + "%";
    const line = data.label + step;
    if (line !== shown) {
      text.textContent = line;
      shown = line;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (!data.in_progress) {
          window.location.reload();
          return;
        }
        show(data);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
