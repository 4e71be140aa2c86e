// Copy the organisation's feedback link. The button stays hidden without JavaScript; the
// link can still be selected and copied by hand.
(function () {
  const button = document.querySelector("[data-copy-target]");
  if (!button || !navigator.clipboard) return;
  const input = document.getElementById(button.getAttribute("data-copy-target"));
  const status = document.querySelector("[data-copy-status]");
  button.hidden = false;
  input.addEventListener("focus", function () { input.select(); });
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(
      function () { if (status) status.textContent = "Link copied."; },
      function () { input.select(); if (status) status.textContent = "Select the link and copy it."; }
    );
  });
})();
