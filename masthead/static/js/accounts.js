/* The sign-in modal: the top bar's Login link opens the sign-in form in a dialog.
 * Without JavaScript the link is a plain link to the sign-in page. The form posts to
 * allauth's login view with Accept: application/json, which answers with a redirect
 * location on success and the re-rendered page (errors beside fields) on failure. */
(function () {
  "use strict";

  var link = document.querySelector("[data-login-modal]");
  if (!link || typeof HTMLDialogElement === "undefined") return;

  var dialog = null;

  function parsePanel(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    return doc.querySelector("[data-login-panel]");
  }

  function buildDialog(panel) {
    dialog = document.createElement("dialog");
    dialog.className = "login-modal";
    var heading = panel.querySelector("h1, h2");
    if (heading) {
      heading.id = "login-modal-title";
      dialog.setAttribute("aria-labelledby", heading.id);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "login-modal__close";
    close.setAttribute("aria-label", link.dataset.closeLabel || "×");
    close.textContent = "×";
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(close);
    dialog.appendChild(panel);
    dialog.addEventListener("close", function () { link.focus(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.addEventListener("keydown", function (event) {
      window.Masthead.keepFocusWithin(dialog, event); // from masthead.js, loaded first
    });
    document.body.appendChild(dialog);
    wireForm();
  }

  function focusFirstField() {
    var field = dialog.querySelector(".form__field--error input") ||
      dialog.querySelector("input:not([type=hidden])");
    if (field) field.focus();
  }

  function wireForm() {
    var form = dialog.querySelector("[data-login-form]");
    if (!form) return;
    var next = form.querySelector("input[name=next]");
    if (!next) {
      next = document.createElement("input");
      next.type = "hidden";
      next.name = "next";
      form.appendChild(next);
    }
    next.value = window.location.pathname + window.location.search;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.text().then(function (text) {
            var data;
            try { data = JSON.parse(text); } catch (error) { data = { html: text }; }
            return { status: response.status, data: data };
          });
        })
        .then(function (result) {
          if (result.status === 429) { // rate-limited: say so in place
            var notice = new DOMParser().parseFromString(result.data.html || "", "text/html")
              .querySelector("[data-rate-limited]");
            if (notice) {
              var previous = form.querySelector("[data-rate-limited]");
              if (previous) previous.remove();
              form.prepend(notice);
              if (button) button.disabled = false;
              return;
            }
          }
          if (result.data.location) {
            var here = window.location.pathname + window.location.search;
            if (result.data.location === here) window.location.reload();
            else window.location.assign(result.data.location);
            return;
          }
          var panel = result.data.html ? parsePanel(result.data.html) : null;
          if (!panel) {
            window.location.assign(form.action); // rate-limited or unexpected: the plain page explains
            return;
          }
          var old = dialog.querySelector("[data-login-panel]");
          old.replaceWith(panel);
          wireForm();
          focusFirstField();
        })
        .catch(function () {
          if (button) button.disabled = false;
        });
    });
  }

  link.addEventListener("click", function (event) {
    event.preventDefault();
    if (dialog) {
      dialog.showModal();
      focusFirstField();
      return;
    }
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var panel = parsePanel(html);
        if (!panel) {
          window.location.assign(link.href);
          return;
        }
        buildDialog(panel);
        dialog.showModal();
        focusFirstField();
      })
      .catch(function () { window.location.assign(link.href); });
  });
})();
