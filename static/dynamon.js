/* Dynamon: small page helpers, plain JavaScript.
 *
 * 1. htmx swaps 400 and 422 responses into the target, so inline errors and the
 *    "session expired" message appear where the user acted (B29).
 *    A change inside [data-own-editor] (the wishes of an employee row) does not
 *    reach the row's change trigger: that part posts on its own buttons.
 * 2. Forms with data-confirm ask before they are sent.
 * 3. The idle warning: the server logs a user out after data-idle-seconds without
 *    activity. Shortly before, #idle-warning is shown with a "continue" button
 *    that posts to data-session-url. If the user has typed or clicked since the
 *    last request, the session is kept without asking. Requests sent with the
 *    header X-Idle-Passive: 1 (polls) do not count as activity.
 */
(function () {
  "use strict";

  var body = document.body;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* 1. htmx */
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      {code: "204", swap: false},
      {code: "[23]..", swap: true},
      {code: "400", swap: true, error: true},
      {code: "422", swap: true, error: true},
      {code: "[45]..", swap: false, error: true},
      {code: "...", swap: false}
    ];
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("[data-own-editor]")) {
      event.stopPropagation();
    }
  }, true);

  /* 2. confirmations */
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  /* 3. idle warning */
  var idleSeconds = Number(body.getAttribute("data-idle-seconds"));
  var box = document.getElementById("idle-warning");
  var sessionUrl = body.getAttribute("data-session-url");
  if (!idleSeconds || !box || !sessionUrl) {
    return;
  }
  var warnSeconds = Math.min(Number(body.getAttribute("data-idle-warning")) || 60,
                             Math.floor(idleSeconds / 2));
  var message = box.querySelector("[data-idle-message]");
  var countdown = box.querySelector(".idle-countdown");
  var button = box.querySelector("[data-idle-continue]");
  var timer = null;
  var ticker = null;
  var deadline = 0;
  var lastInput = 0;
  var lastRequest = Date.now();
  var focusBefore = null;

  function hide() {
    window.clearInterval(ticker);
    if (!box.hidden) {
      box.hidden = true;
      message.textContent = "";
      if (focusBefore && document.contains(focusBefore)) {
        focusBefore.focus();
      }
    }
  }

  function schedule(remaining) {
    window.clearTimeout(timer);
    hide();
    deadline = Date.now() + remaining * 1000;
    timer = window.setTimeout(check, Math.max(0, remaining - warnSeconds) * 1000);
  }

  /* Asks the server: seconds left (another tab may have been active), or null
   * when the session is gone. A GET is passive; a POST keeps the session. */
  function ask(method) {
    var headers = {"Accept": "application/json", "X-CSRFToken": csrfToken()};
    if (method === "GET") {
      headers["X-Idle-Passive"] = "1";
    }
    return window.fetch(sessionUrl, {method: method, headers: headers,
                                     credentials: "same-origin"})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("json") < 0) {
          return null;
        }
        return response.json().then(function (data) { return data.remaining; });
      })
      .catch(function () { return undefined; });  // offline: decide later
  }

  function keepAlive() {
    ask("POST").then(function (remaining) {
      if (remaining === null) {
        window.location.reload();  // the server sends the login page
      } else {
        lastRequest = Date.now();
        schedule(remaining || idleSeconds);
      }
    });
  }

  function check() {
    ask("GET").then(function (remaining) {
      if (remaining === null) {
        window.location.reload();
      } else if (remaining === undefined) {
        timer = window.setTimeout(check, 10000);
      } else if (remaining > warnSeconds + 5) {
        schedule(remaining);
      } else if (lastInput > lastRequest) {
        keepAlive();
      } else {
        warn(remaining);
      }
    });
  }

  function warn(remaining) {
    deadline = Date.now() + remaining * 1000;
    focusBefore = document.activeElement;
    box.hidden = false;
    message.textContent = message.getAttribute("data-idle-message");
    button.focus();
    tick();
    window.clearInterval(ticker);
    ticker = window.setInterval(tick, 1000);
    window.clearTimeout(timer);
    timer = window.setTimeout(check, remaining * 1000 + 1000);
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var seconds = left % 60;
    countdown.textContent = Math.floor(left / 60) + ":" + (seconds < 10 ? "0" : "") +
      seconds;
  }

  button.addEventListener("click", keepAlive);
  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function () { lastInput = Date.now(); }, true);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig || {};
    var headers = config.headers || {};
    if (event.detail.successful && headers["X-Idle-Passive"] !== "1") {
      lastRequest = Date.now();
      schedule(idleSeconds);
    }
  });

  schedule(idleSeconds);
})();
