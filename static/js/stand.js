/* The merch stand, made for a venue without signal. Taps build the sale on the phone;
   "Cash" or "Card terminal" puts it, with an id made here, in a queue kept in
   localStorage, and the queue is sent whenever the connection is there (at once, when
   the browser says it is back, and every 15 s). The server records a sale once however
   often it is sent, so a sale whose answer was lost is simply sent again. The screen
   says how many sales wait to be sent. Without this script the page works online, one
   form per tap. */
(function () {
  "use strict";

  var root = document.querySelector(".stand[data-sales-url]");
  if (!root || !window.fetch || !window.localStorage) { return; }

  var QUEUE_KEY = "sillon-stand-queue";
  var salesUrl = root.getAttribute("data-sales-url");
  var csrf = root.getAttribute("data-csrf");
  var text = root.dataset;
  var queueNote = root.querySelector(".stand-queue");
  var saleList = root.querySelector(".sale-lines");
  var totalOut = root.querySelector(".sale-total strong");
  var form = root.querySelector(".sell-form");
  var emailInput = form.querySelector("input[type=email]");
  var tiles = Array.prototype.slice.call(root.querySelectorAll(".stand-tile"));
  var money = new Intl.NumberFormat(document.documentElement.lang || "fr", {
    style: "currency", currency: root.getAttribute("data-currency") || "EUR"
  });
  var sale = {};  // key -> units in the sale on the screen
  var sending = false;

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch (e) { return []; }
  }

  function writeQueue(queue) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    showQueue();
  }

  function showQueue() {
    var waiting = readQueue().filter(function (item) { return item.url === salesUrl; }).length;
    queueNote.hidden = waiting === 0;
    queueNote.textContent = waiting === 0 ? "" : text.waiting.replace("{n}", waiting);
  }

  function tell(message, kind) {
    var note = document.createElement("p");
    note.className = "flash flash-" + kind;
    note.setAttribute("role", "status");
    note.textContent = message;
    root.insertBefore(note, root.querySelector(".stand-grid"));
    window.setTimeout(function () { note.remove(); }, 6000);
  }

  function clientId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function render() {
    var total = 0;
    saleList.textContent = "";
    tiles.forEach(function (tile) {
      var key = tile.getAttribute("data-key");
      var count = sale[key] || 0;
      var left = Number(tile.getAttribute("data-left")) - count;
      tile.querySelector(".tile-left").textContent = text.left.replace("{n}", left);
      tile.disabled = left <= 0;
      if (count) {
        total += count * Number(tile.getAttribute("data-price"));
        var line = document.createElement("li");
        line.textContent = count + " × " + tile.getAttribute("data-label") + " ";
        var less = document.createElement("button");
        less.type = "button";
        less.className = "button link";
        less.textContent = text.less;
        less.addEventListener("click", function () { sale[key] -= 1; render(); });
        line.appendChild(less);
        saleList.appendChild(line);
      }
    });
    if (!saleList.children.length) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = text.empty;
      saleList.appendChild(empty);
    }
    totalOut.textContent = money.format(total / 100);
  }

  function takeFromTiles(lines) {
    lines.forEach(function (line) {
      var key = line.product_id + ":" + (line.option_id || 0);
      tiles.forEach(function (tile) {
        if (tile.getAttribute("data-key") === key) {
          tile.setAttribute("data-left", Number(tile.getAttribute("data-left")) - line.quantity);
        }
      });
    });
  }

  function send() {
    if (sending) { return; }
    var queue = readQueue();
    var next = queue.find(function (item) { return item.url === salesUrl; });
    if (!next) { return; }
    sending = true;
    fetch(salesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(next.sale)
    }).then(function (response) {
      return response.json().then(function (body) { return [response, body]; });
    }).then(function (answer) {
      var response = answer[0], body = answer[1];
      writeQueue(readQueue().filter(function (item) {
        return item.sale.client_id !== next.sale.client_id;
      }));
      sending = false;
      if (!response.ok) {
        tell(text.refused + " " + body.message, "error");
      } else if (body.pay_url) {
        window.location.href = body.pay_url;
        return;
      } else {
        tell(body.message, "success");
      }
      send();
    }).catch(function () {
      sending = false;  // no signal: the sale stays in the queue for the next try
      showQueue();
    });
  }

  root.querySelectorAll(".stand-tile-form").forEach(function (tileForm) {
    tileForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var key = tileForm.querySelector(".stand-tile").getAttribute("data-key");
      sale[key] = (sale[key] || 0) + 1;
      render();
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var method = event.submitter && event.submitter.getAttribute("data-method");
    var lines = Object.keys(sale).filter(function (key) { return sale[key] > 0; })
      .map(function (key) {
        var ids = key.split(":");
        return { product_id: Number(ids[0]), option_id: Number(ids[1]) || null, quantity: sale[key] };
      });
    if (!lines.length) { tell(text.empty, "error"); return; }
    if (method === "phone" && !navigator.onLine) { tell(text.needsSignal, "error"); return; }
    var queued = {
      url: salesUrl,
      sale: { client_id: clientId(), lines: lines, method: method, email: emailInput.value }
    };
    writeQueue(readQueue().concat([queued]));
    takeFromTiles(lines);
    sale = {};
    emailInput.value = "";
    render();
    send();
  });

  window.addEventListener("online", send);
  window.setInterval(send, 15000);
  render();
  showQueue();
  send();
}());
