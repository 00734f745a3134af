// The calendar page, unless the visitor chose a zone: every <time data-local> is shown in the
// browser's own time zone, whose name the form and the table's heading take.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone) return;
    var language = document.documentElement.lang || undefined;
    var format = new Intl.DateTimeFormat(language, {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
    });
    document.querySelectorAll("time[data-local]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (!isNaN(moment)) element.textContent = format.format(moment);
    });
    document.querySelectorAll("[data-zone-name]").forEach(function (element) {
      element.textContent = zone;
    });
    var input = document.querySelector("form[data-local-zone] input[name=tz]");
    if (input && !input.value) input.value = zone;
  });
})();
