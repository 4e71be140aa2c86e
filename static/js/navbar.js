// The navbar's two moving parts, with the markup and classes of Bootstrap's collapse and
// dropdown, in place of Bootstrap's JavaScript (80 KB for these two):
// - [data-bs-toggle="collapse"] shows and hides its data-bs-target (the menu on small
//   screens), sliding as Bootstrap's .collapsing does, and keeps aria-expanded true.
// - [data-bs-toggle="dropdown"] opens the .dropdown-menu beside it on a click, Enter or
//   Space; ArrowDown and ArrowUp open it and move through its items; Escape closes it and
//   returns focus to the button; a click elsewhere, a click on an item, or Tab out of it
//   closes it.
(function () {
  "use strict";

  function duration(element) {
    const style = window.getComputedStyle(element);
    const seconds = (value) => Math.max(...value.split(",").map(parseFloat));
    return (seconds(style.transitionDuration) + seconds(style.transitionDelay)) * 1000;
  }

  function afterTransition(element, done) {
    const wait = duration(element);
    if (!wait) {
      done();
      return;
    }
    let finished = false;
    const finish = function () {
      if (finished) return;
      finished = true;
      element.removeEventListener("transitionend", onEnd);
      done();
    };
    const onEnd = function (event) {
      if (event.target === element) finish();
    };
    element.addEventListener("transitionend", onEnd);
    window.setTimeout(finish, wait + 5);
  }

  function setCollapse(target, open) {
    if (target.classList.contains("collapsing")) return;
    if (open === target.classList.contains("show")) return;
    document
      .querySelectorAll('[data-bs-toggle="collapse"][data-bs-target="#' + target.id + '"]')
      .forEach((each) => each.setAttribute("aria-expanded", String(open)));
    if (open) {
      target.classList.remove("collapse");
      target.classList.add("collapsing");
      target.style.height = "0";
      afterTransition(target, function () {
        target.classList.remove("collapsing");
        target.classList.add("collapse", "show");
        target.style.height = "";
      });
      target.style.height = target.scrollHeight + "px";
    } else {
      target.style.height = target.getBoundingClientRect().height + "px";
      void target.offsetHeight; // start the slide from the current height
      target.classList.add("collapsing");
      target.classList.remove("collapse", "show");
      target.style.height = "";
      afterTransition(target, function () {
        target.classList.remove("collapsing");
        target.classList.add("collapse");
      });
    }
  }

  document.addEventListener("click", function (event) {
    const trigger = event.target.closest('[data-bs-toggle="collapse"]');
    if (!trigger) return;
    const target = document.querySelector(trigger.dataset.bsTarget);
    if (!target) return;
    if (trigger.tagName === "A") event.preventDefault();
    setCollapse(target, !target.classList.contains("show"));
  });

  // Dropdowns.
  const menuOf = (toggle) => toggle.parentElement.querySelector(".dropdown-menu");
  const itemsOf = (menu) =>
    Array.from(menu.querySelectorAll(".dropdown-item:not(.disabled):not(:disabled)")).filter(
      (item) => item.getClientRects().length > 0,
    );

  function setDropdown(toggle, open) {
    const menu = menuOf(toggle);
    if (!menu || open === menu.classList.contains("show")) return;
    if (open) closeDropdowns(toggle);
    // Within a navbar the menu is placed by the stylesheet alone, as Bootstrap places it.
    if (toggle.closest(".navbar")) menu.setAttribute("data-bs-popper", "static");
    toggle.classList.toggle("show", open);
    menu.classList.toggle("show", open);
    toggle.setAttribute("aria-expanded", String(open));
  }

  const openToggles = () =>
    document.querySelectorAll('[data-bs-toggle="dropdown"][aria-expanded="true"]');

  function closeDropdowns(except) {
    openToggles().forEach(function (toggle) {
      if (toggle !== except) setDropdown(toggle, false);
    });
  }

  document.addEventListener("click", function (event) {
    const toggle = event.target.closest('[data-bs-toggle="dropdown"]');
    if (toggle) {
      event.preventDefault();
      setDropdown(toggle, toggle.getAttribute("aria-expanded") !== "true");
      toggle.focus();
      return;
    }
    // A click on an item, or anywhere else, closes an open menu.
    closeDropdowns(null);
  });

  document.addEventListener("keydown", function (event) {
    if (!["ArrowDown", "ArrowUp", "Escape"].includes(event.key)) return;
    const holder = event.target.closest(".dropdown");
    const toggle = holder && holder.querySelector('[data-bs-toggle="dropdown"]');
    if (!toggle) return;
    const menu = menuOf(toggle);
    if (event.key === "Escape") {
      if (toggle.getAttribute("aria-expanded") !== "true") return;
      event.preventDefault();
      setDropdown(toggle, false);
      toggle.focus();
      return;
    }
    event.preventDefault();
    setDropdown(toggle, true);
    const items = itemsOf(menu);
    if (!items.length) return;
    const down = event.key === "ArrowDown";
    const at = items.indexOf(event.target);
    // From the button: the first item (down) or the last (up); within: the next, no wrapping.
    let next = down ? 0 : items.length - 1;
    if (at !== -1) next = Math.min(Math.max(at + (down ? 1 : -1), 0), items.length - 1);
    items[next].focus();
  });

  // Tab (or Shift+Tab) out of an open menu closes it.
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Tab") return;
    openToggles().forEach(function (toggle) {
      if (!toggle.parentElement.contains(document.activeElement)) setDropdown(toggle, false);
    });
  });
})();
