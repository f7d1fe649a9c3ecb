/* The roll and checklist of a visit in progress, on a phone with a patchy connection.
 *
 * Every form marked data-autosave is saved as soon as something in it changes: the whole form
 * is posted as JSON, so sending the same mark twice gives the same result. Until the server
 * confirms, the mark waits in localStorage (one slot per form, the latest state wins): it is
 * shown as "not saved yet", survives a reload, and is sent again when the connection comes
 * back. Without this script the same forms work as plain posts with a Save button. */
(function () {
  "use strict";

  var scope = document.querySelector("[data-autosave-scope]");
  var messagesNode = document.getElementById("roll-messages");
  if (!scope || !messagesNode || !window.fetch) {
    return;
  }
  var text = JSON.parse(messagesNode.textContent);
  var storeKey = "kycuong.unsaved." + scope.getAttribute("data-autosave-scope");
  var banner = document.getElementById("sync-banner");
  var inflight = {};
  var sessionLost = false;
  document.documentElement.classList.add("autosave");

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey)) || {};
    } catch (error) {
      return {};
    }
  }

  function store(queue) {
    try {
      if (Object.keys(queue).length) {
        window.localStorage.setItem(storeKey, JSON.stringify(queue));
      } else {
        window.localStorage.removeItem(storeKey);
      }
    } catch (error) {
      /* Private mode or a full store: the mark is still being sent from memory. */
    }
  }

  var memory = load();

  function queue() {
    return memory;
  }

  function save(updated) {
    memory = updated;
    store(memory);
  }

  function forms() {
    return scope.querySelectorAll("form[data-autosave]");
  }

  function formFor(action) {
    var all = forms();
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].getAttribute("action") === action) {
        return all[i];
      }
    }
    return null;
  }

  function payloadOf(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.type === "submit") {
        return;
      }
      if (field.type === "radio") {
        if (field.checked) {
          data[field.name] = field.value;
        }
      } else if (field.type === "checkbox") {
        data[field.name] = field.checked;
      } else {
        data[field.name] = field.value;
      }
    });
    return data;
  }

  function apply(form, data) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !(field.name in data)) {
        return;
      }
      if (field.type === "radio") {
        field.checked = field.value === data[field.name];
      } else if (field.type === "checkbox") {
        field.checked = Boolean(data[field.name]);
      } else if (field.type !== "hidden") {
        field.value = data[field.name];
      }
    });
  }

  function setState(form, state) {
    if (!form) {
      return;
    }
    form.setAttribute("data-state", state);
    var label = form.querySelector(".save-state");
    if (label) {
      label.textContent = text[state] || "";
    }
  }

  function showErrors(form, errors) {
    if (!form) {
      return;
    }
    var box = form.querySelector(".entry-errors");
    if (!box) {
      return;
    }
    box.textContent = "";
    Object.keys(errors || {}).forEach(function (field) {
      errors[field].forEach(function (message) {
        var line = document.createElement("p");
        line.textContent = message;
        box.appendChild(line);
      });
    });
  }

  function showFindings(form, body) {
    var line = form && form.querySelector(".entry-findings");
    if (!line || !body || !body.findings) {
      return;
    }
    if (body.findings.length) {
      line.textContent = line.getAttribute("data-findings-label") + ": " + body.findings.join(", ");
    } else if (body.within_grace) {
      line.textContent = line.getAttribute("data-grace-text");
    } else {
      line.textContent = "";
    }
    var card = form.closest(".entry");
    if (card) {
      card.classList.toggle("has-findings", body.findings.length > 0);
    }
  }

  function updateBanner() {
    if (!banner) {
      return;
    }
    var count = Object.keys(queue()).length;
    if (sessionLost && count) {
      banner.textContent = text.login;
    } else if (count) {
      banner.textContent = text.pending.replace("%(count)s", String(count));
    }
    banner.hidden = count === 0;
    banner.classList.toggle("bad", sessionLost && count > 0);
  }

  function token() {
    var field = scope.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function send(action) {
    if (inflight[action]) {
      return;
    }
    var payload = queue()[action];
    if (!payload) {
      return;
    }
    var form = formFor(action);
    inflight[action] = true;
    setState(form, "saving");
    fetch(action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token(),
      },
      body: JSON.stringify(payload),
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          /* The login page after a redirect, or an error page: keep the mark. */
          return { outcome: response.status >= 500 ? "retry" : "login" };
        }
        return response.json().then(function (body) {
          if (response.ok) {
            return { outcome: "saved", body: body };
          }
          return { outcome: response.status >= 500 ? "retry" : "refused", body: body };
        });
      })
      .catch(function () {
        return { outcome: "retry" };
      })
      .then(function (result) {
        inflight[action] = false;
        var current = queue();
        var changedMeanwhile = JSON.stringify(current[action]) !== JSON.stringify(payload);
        sessionLost = result.outcome === "login";
        if (result.outcome === "saved" || result.outcome === "refused") {
          if (!changedMeanwhile) {
            delete current[action];
            save(current);
          }
          if (result.outcome === "saved") {
            showErrors(form, {});
            showFindings(form, result.body);
          } else {
            showErrors(form, result.body && result.body.errors);
          }
          setState(form, changedMeanwhile ? "unsaved" : result.outcome);
          if (changedMeanwhile) {
            send(action);
          }
        } else {
          setState(form, "unsaved");
        }
        updateBanner();
      });
  }

  function flush() {
    Object.keys(queue()).forEach(send);
  }

  function enqueue(form) {
    var current = queue();
    var action = form.getAttribute("action");
    current[action] = payloadOf(form);
    save(current);
    setState(form, "unsaved");
    updateBanner();
    send(action);
  }

  Array.prototype.forEach.call(forms(), function (form) {
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (field.name === "presence" && field.value === "late") {
        var arrival = form.querySelector("input[name=arrived_at]");
        if (arrival && !arrival.value) {
          var now = new Date();
          arrival.value =
            String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
        }
      }
      enqueue(form);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      enqueue(form);
    });
  });

  /* Marks left over from an earlier visit to this page: show them, then send them. */
  Object.keys(queue()).forEach(function (action) {
    var form = formFor(action);
    if (form) {
      apply(form, queue()[action]);
      setState(form, "unsaved");
    }
  });
  updateBanner();
  flush();
  window.addEventListener("online", flush);
  window.setInterval(function () {
    if (Object.keys(queue()).length) {
      flush();
    }
  }, 10000);

  /* Find a person quickly on a long roll. */
  var filter = document.getElementById("roll-filter");
  if (filter) {
    var fold = function (value) {
      return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").toLowerCase();
    };
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value.trim());
      scope.querySelectorAll(".entry").forEach(function (card) {
        card.hidden = wanted !== "" && fold(card.getAttribute("data-name")).indexOf(wanted) === -1;
      });
    });
  }
})();
