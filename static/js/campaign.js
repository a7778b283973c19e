/* Campaign progress without reloading: every block carrying data-campaign-api polls that
   JSON endpoint every 15 s and updates its figures, bar and goals. The server-rendered
   page is complete without this script; when the campaign changes state (or its next
   goal is one the page does not list), a "reload" notice is shown instead of guessing. */
(function () {
  "use strict";

  var PERIOD_MS = 15000;

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function setField(block, name, value) {
    all(block, '[data-campaign-field="' + name + '"]').forEach(function (node) {
      node.textContent = String(value);
    });
  }

  function goalItem(block, goal) {
    return block.querySelector(
      '[data-goal-kind="' + goal.kind + '"][data-goal-threshold="' + goal.threshold + '"]'
    );
  }

  function showStale(block) {
    all(block, "[data-campaign-stale]").forEach(function (node) { node.hidden = false; });
    return false;
  }

  function updateGoals(block, goals) {
    goals.forEach(function (goal) {
      var item = goalItem(block, goal);
      if (!item) { return; }
      var reached = goal.reached_at !== null;
      item.classList.toggle("is-reached", reached);
      all(item, "[data-goal-reached]").forEach(function (node) { node.hidden = !reached; });
      all(item, "[data-goal-pending]").forEach(function (node) { node.hidden = reached; });
    });
  }

  function updateBar(block, data) {
    var next = data.next_goal;
    var max = next ? next.threshold : Math.max.apply(null, data.goals.map(function (goal) {
      return goal.threshold;
    }).concat([data.paid_units, 1]));
    all(block, '[data-campaign-field="bar"]').forEach(function (bar) {
      bar.max = max;
      bar.value = Math.min(data.paid_units, max);
      bar.textContent = Math.min(data.paid_units, max) + " / " + max;
    });
  }

  function update(block, data) {
    var next = data.next_goal;
    var item = next && goalItem(block, next);
    if (data.state !== block.getAttribute("data-state") || (next && !item)) {
      return showStale(block);
    }
    setField(block, "paid", data.paid_units);
    setField(block, "remaining", data.remaining);
    if (next) {
      setField(block, "threshold", next.threshold);
      setField(block, "phrase", item.getAttribute("data-goal-phrase"));
    }
    all(block, '[data-campaign-when="next"]').forEach(function (node) { node.hidden = !next; });
    all(block, '[data-campaign-when="done"]').forEach(function (node) { node.hidden = !!next; });
    updateBar(block, data);
    updateGoals(block, data.goals);
    return true;
  }

  function watch(block) {
    var url = block.getAttribute("data-campaign-api");
    var timer = window.setInterval(function () {
      if (document.hidden) { return; }
      window.fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          if (!update(block, data)) { window.clearInterval(timer); }
        })
        .catch(function () { /* keep the last figures; try again at the next tick */ });
    }, PERIOD_MS);
  }

  if (!window.fetch) { return; }
  all(document, "[data-campaign-api]").forEach(function (block) {
    var state = block.getAttribute("data-state");
    if (state === "upcoming" || state === "open") { watch(block); }
  });
}());
