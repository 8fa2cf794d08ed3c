// Registration: offer the browser's own zone (and the page language) while the fields hold the defaults.
(function () {
  var input = document.getElementById('timezone');
  var unchanged = !document.querySelector('.is-invalid');
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && input && input.value === input.getAttribute('data-default-zone') && unchanged) { input.value = zone; }
  } catch (e) {}
  var language = document.getElementById('language');
  if (language && unchanged) { language.value = document.documentElement.lang; }
})();
