// Review queues: a checkbox that selects every item of the page. It is hidden without
// JavaScript (the boxes of the rows still work) and follows the rows' boxes: ticked when all
// are, half-ticked when some are.
(function () {
  "use strict";
  function boxesOf(master) {
    var form = master.form || master.closest("form");
    var name = master.getAttribute("data-select-all");
    return form ? Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="' + name + '"]')) : [];
  }
  function follow(master) {
    var boxes = boxesOf(master);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    master.checked = boxes.length > 0 && ticked === boxes.length;
    master.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  function setUp(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (master) {
      if (master.dataset.ready) return;
      master.dataset.ready = "1";
      master.hidden = false;
      master.addEventListener("change", function () {
        boxesOf(master).forEach(function (box) { box.checked = master.checked; });
        master.indeterminate = false;
      });
      boxesOf(master).forEach(function (box) {
        box.addEventListener("change", function () { follow(master); });
      });
      follow(master);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
