// A <select data-autosubmit> sends its form as soon as it changes (no inline onchange: the CSP forbids it).
(function () {
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) { select.form.submit(); } });
  });
})();
