/* Jingkai's page behaviour that templates once wrote in on* attributes: the Content-Security-Policy refuses
   inline script (docs/security.md §5), so templates mark elements with data-* attributes and this file, loaded
   by base.html on every page, gives them their behaviour.

     <select name="period" data-autosubmit>  submits its form when the choice changes (a <noscript> button
                                             beside it serves browsers without JavaScript). */
(function () {
  "use strict";

  // Delegated, so selects arriving later through htmx behave the same.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
