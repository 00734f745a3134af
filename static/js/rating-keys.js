// Keys 1-5 choose a rating in the stereotypes validator, unless one is typing in a text field.
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  var target = event.target;
  if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio") || target.isContentEditable)) return;
  if (!/^[1-5]$/.test(event.key)) return;
  var radio = document.querySelector('#validator input[name="rating"][value="' + event.key + '"]');
  if (radio) { radio.checked = true; radio.focus(); event.preventDefault(); }
});
