// The reader's own part of a page the page cache shares with their whole class
// (masthead/pagecache): their name, a CSRF token for the page's forms, a comment form
// token, and on a premium article the paywall's answer for them (the meter counts on the
// server) with the rest of the text when it allows. Without JavaScript the page still
// reads, and the paywall offers a link to the reader's own copy.
(function () {
  "use strict";
  var root = document.documentElement;
  var stateUrl = root.getAttribute("data-reader-state");
  var pageClass = root.getAttribute("data-entitlement");
  if (!stateUrl) return;

  var slot = document.querySelector("[data-paywall-slot]");
  var commentForm = document.querySelector(".comment-form");
  var postForms = Array.prototype.filter.call(document.forms, function (form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" &&
      new URL(form.action, location.href).origin === location.origin;
  });
  if (pageClass === "anonymous" && !slot && postForms.length === 0) return;

  var params = new URLSearchParams();
  var articleInput = commentForm && commentForm.querySelector("input[name=article]");
  var article = slot ? slot.getAttribute("data-article") : articleInput && articleInput.value;
  if (article) params.set("article", article);
  if (slot) params.set("paywall", "1");

  function reloadOnce() {
    // The reader's class changed (signed in elsewhere, subscribed, lapsed): the state call
    // has rewritten their class cookie, and a reload fetches their class's copy. Once only.
    var key = "masthead-reloaded:" + location.pathname;
    var last = Number(sessionStorage.getItem(key) || 0);
    if (Date.now() - last < 60000) return false;
    sessionStorage.setItem(key, String(Date.now()));
    location.reload();
    return true;
  }

  // A form sent before the reader's tokens arrive waits for them, then goes.
  var tokensArrived;
  var tokens = new Promise(function (resolve) {
    tokensArrived = resolve;
  });
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (postForms.indexOf(form) === -1) return;
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (input && input.value) return;
      event.preventDefault();
      tokens.then(function () {
        if (form.requestSubmit) form.requestSubmit(event.submitter || undefined);
        else form.submit();
      });
    },
    true
  );

  // A shared copy cannot hold the reader's CSRF token, so its "Sign out" is a link to the
  // confirmation page (which works without JavaScript). Once the token is here, the link
  // signs out at once, as the reader's own pages do, by posting that same form.
  function signOutInOneStep(csrfToken) {
    if (!csrfToken) return;
    Array.prototype.forEach.call(document.querySelectorAll("a.account-menu__signout"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var form = document.createElement("form");
        form.method = "post";
        form.action = link.href;
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "csrfmiddlewaretoken";
        input.value = csrfToken;
        form.appendChild(input);
        document.body.appendChild(form);
        form.submit();
      });
    });
  }

  fetch(stateUrl + "?" + params.toString(), {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then(function (response) {
      if (!response.ok) throw new Error("reader state: " + response.status);
      return response.json();
    })
    .then(function (state) {
      if (state.entitlement && state.entitlement !== pageClass && reloadOnce()) return;
      Array.prototype.forEach.call(document.querySelectorAll("[data-reader-name]"), function (el) {
        if (state.name) el.textContent = state.name;
      });
      signOutInOneStep(state.csrf_token);
      postForms.forEach(function (form) {
        var input = form.querySelector("input[name=csrfmiddlewaretoken]");
        if (!input) {
          input = document.createElement("input");
          input.type = "hidden";
          input.name = "csrfmiddlewaretoken";
          form.insertBefore(input, form.firstChild);
        }
        input.value = state.csrf_token;
      });
      tokensArrived();
      if (commentForm && state.comment_token) {
        var token = commentForm.querySelector("input[name=token]");
        if (token) token.value = state.comment_token;
      }
      if (slot && state.article) {
        if (state.article.full_text) {
          var body = document.querySelector(".article__body");
          var gated = document.createElement("div");
          gated.className = "article__gated";
          gated.innerHTML = state.article.gated_html;
          if (body) body.appendChild(gated);
        }
        var answer = document.createElement("div");
        answer.innerHTML = state.article.paywall_html;
        slot.replaceWith.apply(slot, Array.prototype.slice.call(answer.childNodes));
        // The new paywall's forms need the token too.
        Array.prototype.forEach.call(document.querySelectorAll(".paywall form, .gift-form"), function (form) {
          var field = form.querySelector("input[name=csrfmiddlewaretoken]");
          if (field && !field.value) field.value = state.csrf_token;
        });
      }
    })
    .catch(function () {
      // The page stays as the class sees it: readable, with the paywall's generic offer;
      // a waiting form goes anyway, and the server explains a refusal.
      tokensArrived();
    });
})();
