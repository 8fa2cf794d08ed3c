// First visit to the booking calendar: use the browser's own time zone (still changeable in the list).
// The page's current zone comes from data-current-zone on the element marked data-browser-zone.
(function () {
  var holder = document.querySelector('[data-browser-zone]');
  if (!holder) { return; }
  var params = new URLSearchParams(location.search);
  if (params.has('tz')) { return; }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== holder.getAttribute('data-current-zone')) {
      params.set('tz', zone);
      location.replace(location.pathname + '?' + params.toString());
    }
  } catch (e) {}
})();
