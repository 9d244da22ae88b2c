/* Masthead: live search under the header's search box.
 * Without JavaScript the box is a plain form that submits to the results page. With it,
 * the box becomes an ARIA combobox: after a short pause in typing (two characters at
 * least) it asks the edition's live endpoint for an HTML fragment of a few headlines and
 * shows it as a listbox. ArrowDown/ArrowUp move the active option, Enter opens it (or
 * submits the form when none is active), Escape closes the list; a status region tells
 * screen readers how many results came. The server writes every word and date, in the
 * reader's language, so nothing here needs translating.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_CHARS = 2;

  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var baseId = (input.id || "search") + "-live";
    var popup = document.createElement("div");
    popup.className = "search-box__popup";
    popup.id = baseId;
    popup.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.appendChild(popup);
    form.appendChild(status);
    form.classList.add("search-box--live");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    // The popup always exists (the list inside it only once results came).
    input.setAttribute("aria-controls", baseId);

    var timer = null;
    var pending = null;
    var asked = "";
    var options = [];
    var active = -1;

    function setActive(position) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === position ? "true" : "false");
        option.classList.toggle("is-active", i === position);
      });
      active = position;
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].id);
        options[position].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      setActive(-1);
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function open() {
      if (!popup.firstElementChild) return;
      popup.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function show(html) {
      popup.innerHTML = html;
      var list = popup.querySelector("[role=listbox]");
      if (list) list.id = baseId + "-list";
      options = Array.prototype.slice.call(popup.querySelectorAll("[role=option]"));
      options.forEach(function (option, i) {
        option.id = baseId + "-option-" + i;
        option.addEventListener("click", function (event) {
          var link = option.querySelector("a[href]");
          if (link && event.target.closest("a") !== link) link.click();
        });
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var answer = popup.querySelector("[data-status]");
      status.textContent = answer ? answer.getAttribute("data-status") : "";
      open();
    }

    function ask() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) {
        if (pending) pending.abort();
        asked = "";
        popup.innerHTML = "";
        status.textContent = "";
        close();
        return;
      }
      if (query === asked) {
        open();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      var url = form.getAttribute("data-live-url") + "?q=" + encodeURIComponent(query);
      fetch(url, { signal: pending.signal, headers: { "Accept": "text/html" } })
        .then(function (response) {
          // 429 brings a fragment too: the reader is told to wait, in their language.
          if (!response.ok && response.status !== 429) throw new Error(response.statusText);
          return response.text();
        })
        .then(function (html) {
          asked = query;
          if (input.value.trim() === query && document.activeElement === input) show(html);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") close();
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !popup.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) return;
        event.preventDefault();
        if (!expanded) {
          open();
          if (popup.hidden) return;
        }
        // Up and Down are the same in both directions of writing; the list wraps around.
        var next = event.key === "ArrowDown" ? active + 1 : active - 1;
        if (next >= options.length) next = 0;
        if (next < 0) next = options.length - 1;
        setActive(next);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          var link = options[active].querySelector("a[href]");
          if (link) {
            event.preventDefault();
            window.location.assign(link.href);
          }
        }
        // No active option: the form submits to the results page as it does without us.
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          asked = "";
          popup.innerHTML = "";
        }
      }
    });

    input.addEventListener("focus", function () {
      if (input.value.trim().length >= MIN_CHARS && input.value.trim() === asked) open();
    });

    // Keep focus in the box while the pointer presses an option, then follow its link.
    popup.addEventListener("mousedown", function (event) { event.preventDefault(); });

    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) close();
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) close();
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.search-box[data-live-url]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
