// Live HADS subscale totals while items are typed. The server computes the stored scores;
// this only shows the CLP what they will be.
(function () {
  const output = document.querySelector("[data-hads-output]");
  if (!output) return;
  const inputs = Array.from(document.querySelectorAll('input[name^="hads_"]'));
  function band(score) {
    if (score <= 7) return "normal";
    if (score <= 10) return "borderline";
    return "abnormal";
  }
  function subscale(offset) {
    let total = 0;
    for (let i = offset; i < inputs.length; i += 2) {
      const raw = inputs[i].value.trim();
      const value = Number(raw);
      if (raw === "" || !Number.isInteger(value) || value < 0 || value > 3) return null;
      total += value;
    }
    return total;
  }
  function describe(name, score) {
    return score === null ? name + ": incomplete" : name + " " + score + " (" + band(score) + ")";
  }
  function update() {
    output.textContent = describe("Anxiety", subscale(0)) + "; " + describe("depression", subscale(1)) + ".";
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  if (inputs.some(function (input) { return input.value !== ""; })) update();
})();
