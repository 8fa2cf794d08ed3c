// The card payment form: Stripe.js Card Element, then a PaymentIntent or a SetupIntent flow.
// Settings come from the JSON block #pay-config (no inline script: the CSP forbids it).
(function () {
  var holder = document.getElementById('pay-config');
  if (!holder || typeof Stripe === 'undefined') { return; }
  var cfg = JSON.parse(holder.textContent);
  var stripe = Stripe(cfg.publishableKey);
  var card = stripe.elements().create('card');
  card.mount('#card-element');
  var form = document.getElementById('payment-form'), button = document.getElementById('pay-button');
  var errors = document.getElementById('card-errors');
  function fail(message) {
    errors.textContent = message || cfg.failedMessage;
    errors.classList.remove('d-none');
    button.disabled = false;
  }
  async function viaPaymentIntent() {
    var result = await stripe.confirmCardPayment(cfg.secret, {payment_method: {card: card}});
    if (result.error) { location.assign(cfg.retryUrl); return; }
    location.assign(cfg.returnUrl);
  }
  async function viaSetupIntent() {
    var setup = await stripe.confirmCardSetup(cfg.secret, {payment_method: {card: card}});
    if (setup.error) { fail(setup.error.message); return; }
    var pm = setup.setupIntent.payment_method;
    var response = await fetch(cfg.cardUrl, {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf},
      body: JSON.stringify({payment_method: typeof pm === 'string' ? pm : pm.id})});
    var answer = await response.json();
    if (answer.status === 'requires_action') {
      var auth = await stripe.confirmCardPayment(answer.client_secret);
      location.assign(auth.error ? cfg.retryUrl : answer.return_url);
      return;
    }
    if (answer.status === 'failed') { location.assign(cfg.retryUrl); return; }
    if (answer.status === 'error') { if (answer.redirect) { location.assign(answer.redirect); } else { fail(answer.message); } return; }
    location.assign(answer.return_url);
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (button.disabled) { return; }  // a double click sends one payment
    button.disabled = true;
    errors.classList.add('d-none');
    (cfg.flow === 'payment_intent' ? viaPaymentIntent() : viaSetupIntent()).catch(function (e) { fail(e && e.message); });
  });
})();
