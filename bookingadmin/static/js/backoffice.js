// Back-office behaviour that Flask-Admin's templates wrote as inline script (the CSP runs none):
// bulk actions ("With selected"), "Add <inline row>" buttons, delete confirmations, and links to
// "javascript:void(0)" that only open menus (their navigation would be blocked and reported).
(function () {
  document.addEventListener('click', function (event) {
    var action = event.target.closest('[data-model-action]');
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute('data-model-action'));
      return;
    }
    var adder = event.target.closest('[data-inline-add]');
    if (adder && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(adder, adder.getAttribute('data-inline-add'));
      return;
    }
    var confirming = event.target.closest('button[data-confirm]');
    if (confirming && !window.confirm(confirming.getAttribute('data-confirm'))) {
      event.preventDefault();
      return;
    }
    var link = event.target.closest('a[href^="javascript:"]');
    if (link) { event.preventDefault(); }
  }, true);  // capture: Bootstrap's menu handlers stop the click before it would bubble up here
})();
