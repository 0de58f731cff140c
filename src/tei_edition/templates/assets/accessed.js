// Puts the reader's date of access into a citation note: the page itself was built earlier, and the build's date
// is not the date the reader consulted it. Without scripts the note keeps its visible placeholder.
(function () {
  "use strict";
  var months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"];
  function fill() {
    var today = new Date();
    var iso = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" +
      String(today.getDate()).padStart(2, "0");
    var shown = months[today.getMonth()] + " " + today.getDate() + ", " + today.getFullYear();
    document.querySelectorAll("[data-accessed]").forEach(function (slot) {
      var time = document.createElement("time");
      time.setAttribute("datetime", iso);
      time.textContent = shown;
      slot.replaceChildren(time);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();
