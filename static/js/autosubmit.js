// A <select data-autosubmit> submits its form as soon as a choice is made (the button stays for
// browsers without JavaScript).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
