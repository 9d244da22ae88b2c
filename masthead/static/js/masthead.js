/* Masthead: small enhancements for pages that already work without JavaScript.
 * - Mega-menus: a toggle button per section (click, Enter, Space, ArrowDown), Escape
 *   closes and returns focus, tabs switch on hover, focus and arrow keys.
 * - Mobile menu: the "Menu" link (an anchor to #site-menu without JavaScript) becomes a
 *   button that opens the off-canvas panel, keeps focus inside it and closes on Escape.
 * - Account menu (a <details>, which opens and closes without JavaScript): Escape closes
 *   it and returns focus to its summary; a click elsewhere closes it.
 */
(function () {
  "use strict";

  var MOBILE_QUERY = window.matchMedia("(max-width: 767.98px)");
  var HOVER_GRACE_MS = 400;

  function closeMega(item, restoreFocus) {
    var toggle = item.querySelector(".main-nav__toggle");
    item.classList.remove("is-open");
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      if (restoreFocus) toggle.focus();
    }
  }

  function openMega(item) {
    document.querySelectorAll(".main-nav__item--mega.is-open").forEach(function (other) {
      if (other !== item) closeMega(other, false);
    });
    item.classList.add("is-open");
    item.querySelector(".main-nav__toggle").setAttribute("aria-expanded", "true");
  }

  function selectTab(tab, moveFocus) {
    var list = tab.closest(".mega__tabs");
    var mega = tab.closest(".mega");
    list.querySelectorAll(".mega__tab").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    if (moveFocus) tab.focus();
    if (mega) mega.dataset.activeTab = tab.id;
  }

  function setUpMegaMenus() {
    document.querySelectorAll(".main-nav__item--mega").forEach(function (item) {
      var toggle = item.querySelector(".main-nav__toggle");
      if (!toggle) return;
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        if (item.classList.contains("is-open")) closeMega(item, false);
        else openMega(item);
      });
      item.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && item.classList.contains("is-open")) {
          event.preventDefault();
          closeMega(item, true);
        } else if (event.key === "ArrowDown" && event.target === toggle) {
          event.preventDefault();
          openMega(item);
          var first = item.querySelector(".mega__tab[aria-selected='true'], .mega__panel:not([hidden]) a");
          if (first) first.focus();
        }
      });
      item.addEventListener("focusout", function (event) {
        if (!item.contains(event.relatedTarget)) closeMega(item, false);
      });
      // Open on hover; close a moment after the pointer leaves, so that it can cross the
      // second row of a wrapped menu bar on its way down to the panel.
      var closing = null;
      item.addEventListener("mouseenter", function () {
        if (MOBILE_QUERY.matches) return;
        window.clearTimeout(closing);
        openMega(item);
      });
      item.addEventListener("mouseleave", function () {
        if (MOBILE_QUERY.matches) return;
        closing = window.setTimeout(function () {
          if (!item.contains(document.activeElement)) closeMega(item, false);
        }, HOVER_GRACE_MS);
      });

      var tabs = Array.prototype.slice.call(item.querySelectorAll(".mega__tab"));
      tabs.forEach(function (tab, index) {
        tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
        tab.addEventListener("mouseenter", function () { selectTab(tab, false); });
        tab.addEventListener("keydown", function (event) {
          var next = null;
          var forward = document.dir === "rtl" ? "ArrowLeft" : "ArrowRight";
          var backward = document.dir === "rtl" ? "ArrowRight" : "ArrowLeft";
          // The tabs stand in a column: Up and Down move too, as Left and Right do.
          if (event.key === forward || event.key === "ArrowDown") {
            next = tabs[(index + 1) % tabs.length];
          } else if (event.key === backward || event.key === "ArrowUp") {
            next = tabs[(index - 1 + tabs.length) % tabs.length];
          }
          else if (event.key === "Home") next = tabs[0];
          else if (event.key === "End") next = tabs[tabs.length - 1];
          if (next) {
            event.preventDefault();
            selectTab(next, true);
          }
        });
      });
    });
  }

  function focusables(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll(
        "a[href], button:not([hidden]), input:not([type=hidden]), select, textarea, [tabindex='0']"
      ),
      function (el) { return !el.disabled && el.offsetParent !== null; }
    );
  }

  /* Keep Tab and Shift+Tab inside an open menu or dialog; shared with accounts.js. */
  function keepFocusWithin(container, event) {
    if (event.key !== "Tab") return;
    var items = focusables(container);
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
  window.Masthead = { keepFocusWithin: keepFocusWithin };

  function setUpMobileMenu() {
    var opener = document.querySelector(".main-nav__open");
    var panel = document.getElementById("site-menu");
    var closer = panel && panel.querySelector(".main-nav__close");
    if (!opener || !panel || !closer) return;
    opener.setAttribute("role", "button");
    opener.setAttribute("aria-expanded", "false");
    closer.setAttribute("role", "button");

    function open() {
      panel.classList.add("is-open");
      document.body.classList.add("menu-open");
      opener.setAttribute("aria-expanded", "true");
      closer.focus();
    }
    function close() {
      panel.classList.remove("is-open");
      document.body.classList.remove("menu-open");
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
    opener.addEventListener("click", function (event) { event.preventDefault(); open(); });
    closer.addEventListener("click", function (event) { event.preventDefault(); close(); });
    // They are links made buttons: Space must press them as it presses a button.
    [opener, closer].forEach(function (control) {
      control.addEventListener("keydown", function (event) {
        if (event.key === " ") {
          event.preventDefault();
          control.click();
        }
      });
    });
    // A click on the dimmed page beside the open menu closes it.
    document.addEventListener("click", function (event) {
      if (panel.classList.contains("is-open") && !panel.contains(event.target) &&
          !opener.contains(event.target)) {
        event.preventDefault();
        close();
      }
    });
    panel.addEventListener("keydown", function (event) {
      if (!panel.classList.contains("is-open")) return;
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else {
        keepFocusWithin(panel, event);
      }
    });
    MOBILE_QUERY.addEventListener("change", function () {
      if (!MOBILE_QUERY.matches && panel.classList.contains("is-open")) close();
    });
  }

  /* The menus come from a cache shared by every page, so the current page is marked here:
   * the exact link gets aria-current="page", and the main menu's section that holds the
   * page gets aria-current="true". */
  function markCurrentLinks() {
    var here = window.location.pathname;
    var best = null;
    document.querySelectorAll(".main-nav__link").forEach(function (link) {
      var path = new URL(link.href, window.location.href).pathname;
      var home = path === "/" || /^\/[a-z]{2}\/$/.test(path);
      if (home ? path === here : here.indexOf(path) === 0) {
        if (!best || path.length > best.path.length) best = { link: link, path: path };
      }
    });
    if (best) best.link.setAttribute("aria-current", best.path === here ? "page" : "true");
    document.querySelectorAll(".top-bar__links a, .site-footer__links a").forEach(function (link) {
      if (new URL(link.href, window.location.href).pathname === here) {
        link.setAttribute("aria-current", "page");
      }
    });
  }

  /* After a form comes back with errors, take the reader to the first field to fix. */
  function focusFirstError() {
    var field = document.querySelector(".form__field--error input, .form__field--error textarea, .form__field--error select");
    if (field) field.focus();
  }

  function setUpAccountMenus() {
    var menus = document.querySelectorAll("details.account-menu");
    if (!menus.length) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open && menu.contains(document.activeElement)) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
  }

  function start() {
    focusFirstError();
    setUpAccountMenus();
    markCurrentLinks();
    setUpMegaMenus();
    setUpMobileMenu();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
