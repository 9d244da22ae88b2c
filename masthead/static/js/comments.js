// Move the comment form under the comment being answered, as WordPress's comment-reply.js does.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var home = document.getElementById("respond-home");
  if (!respond || !home) return;
  var parentField = document.getElementById("comment-parent");
  var cancel = document.getElementById("cancel-comment-reply");

  function moveUnder(link) {
    var comment = link.closest(".comment");
    comment.querySelector(".comment__body").after(respond);
    parentField.value = link.dataset.commentId;
    cancel.hidden = false;
    respond.querySelector("textarea").focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link) {
      event.preventDefault();
      moveUnder(link);
    } else if (event.target.closest("#cancel-comment-reply")) {
      event.preventDefault();
      home.after(respond);
      parentField.value = "";
      cancel.hidden = true;
    }
  });
})();
