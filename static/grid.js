// Editor tables: no lost edit when a row changes again during its save, keyboard
// movement in the staffing grid (Tab in the natural order, Enter down, Shift+Enter
// up, arrow keys), and Enter in a form row adds the row. Refused edits (HTTP 422)
// are swapped in by the htmx settings in dynamon.js.
(function () {
  "use strict";

  // An element edited again while its last save is on the way: the answer to the
  // older save would overwrite the newer input, so it is not swapped in; the save
  // queued by hx-sync (with every value as it is now) answers instead.
  document.addEventListener("change", function (event) {
    var busy = event.target.closest && event.target.closest(".htmx-request");
    if (busy) {
      busy.setAttribute("data-stale", "");
    }
  }, true);

  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-stale")) {
      elt.removeAttribute("data-stale");
      event.detail.shouldSwap = false;
    }
  });

  // Focus the input dr rows down and dc columns right of this one, if any.
  function move(input, dr, dc) {
    var cell = input.closest("td, th");
    var row = cell.parentElement;
    var rows = Array.prototype.slice.call(
      row.closest("table").querySelectorAll("tbody tr"));
    var r = rows.indexOf(row) + dr;
    var c = Array.prototype.indexOf.call(row.cells, cell) + dc;
    if (r < 0 || r >= rows.length || c < 0 || c >= rows[r].cells.length) {
      return false;
    }
    var target = rows[r].cells[c].querySelector("input");
    if (!target) {
      return false;
    }
    target.focus();
    target.select();
    return true;
  }

  function atStart(input) {
    return input.selectionStart === 0 &&
      (input.selectionEnd === 0 || input.selectionEnd === input.value.length);
  }

  function atEnd(input) {
    var n = input.value.length;
    return input.selectionEnd === n && (input.selectionStart === n || input.selectionStart === 0);
  }

  function gridKey(event, input) {
    var moves = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      Enter: [event.shiftKey ? -1 : 1, 0],
      ArrowLeft: atStart(input) ? [0, -1] : null,
      ArrowRight: atEnd(input) ? [0, 1] : null
    };
    var step = moves[event.key];
    if (step && !event.altKey && !event.ctrlKey && !event.metaKey &&
        move(input, step[0], step[1])) {
      event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) {
      return;
    }
    if (input.closest("table[data-grid]")) {
      gridKey(event, input);
      return;
    }
    var formRow = input.closest("tr[data-submit-on-enter]");
    if (formRow && event.key === "Enter") {
      event.preventDefault();
      var button = formRow.querySelector("button");
      if (button) {
        button.click();
      }
    }
  });
}());
