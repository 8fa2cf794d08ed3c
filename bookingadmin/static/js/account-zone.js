// Account page: when the browser's own time zone differs from the one saved, offer it (one click fills the field).
(function () {
  var input = document.getElementById('timezone');
  var hint = document.querySelector('[data-browser-zone-hint]');
  if (!input || !hint) { return; }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === input.value) { return; }
    hint.querySelector('[data-zone-name]').textContent = zone;
    hint.classList.remove('d-none');
    hint.querySelector('[data-use-browser-zone]').addEventListener('click', function () {
      input.value = zone;
      hint.classList.add('d-none');
    });
  } catch (e) {}
})();
