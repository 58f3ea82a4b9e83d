// Narrow the handout cards as the front desk types or picks a filter. Without JavaScript the
// form stays hidden and every card shows, so nothing here is needed to find and open a PDF.
(function () {
  "use strict";
  var form = document.querySelector(".finder");
  if (!form) {
    return;
  }
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  var search = document.getElementById("q");
  var condition = document.getElementById("f-condition");
  var language = document.getElementById("f-lang");
  var kind = document.getElementById("f-kind");
  var count = document.getElementById("count");
  var empty = document.getElementById("empty");

  // the same folding as gallery.fold(): lowercase, accents removed, so "ciatica" finds "Ciática"
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function matches(card, words, cond, lang, layout) {
    var haystack = card.getAttribute("data-search");
    for (var i = 0; i < words.length; i++) {
      if (haystack.indexOf(words[i]) === -1) {
        return false;
      }
    }
    if (cond && card.getAttribute("data-condition") !== cond) {
      return false;
    }
    if (lang && card.getAttribute("data-langs").split(" ").indexOf(lang) === -1) {
      return false;
    }
    return !(layout && card.getAttribute("data-kind") !== layout);
  }

  // show an element's words in language ``lang`` from its data-<what>-<lang> attribute ("" for its first language)
  function swapText(element, what, lang, dir) {
    if (!element) {
      return;
    }
    if (!element.hasAttribute("data-first-lang")) {
      element.setAttribute("data-first-lang", element.getAttribute("lang") || "");
      element.setAttribute("data-first-text", element.textContent);
    }
    var text = lang ? element.getAttribute("data-" + what + "-" + lang.toLowerCase()) : null;
    var code = text === null ? element.getAttribute("data-first-lang") : lang;
    if (text === null) {
      text = element.getAttribute("data-first-text");
    }
    element.textContent = text;
    element.setAttribute("lang", code);
    element.hidden = text === "";
    if (dir && text !== element.getAttribute("data-first-text")) {
      element.setAttribute("dir", dir);
    } else {
      element.removeAttribute("dir");
    }
  }

  // with a language chosen, its button stands out and the thumbnail shows that language's first page
  function showLanguage(card, lang) {
    var buttons = card.querySelectorAll("a.lang");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].classList.toggle("chosen", lang !== "" && buttons[i].getAttribute("data-lang") === lang);
      buttons[i].classList.toggle("other", lang !== "" && buttons[i].getAttribute("data-lang") !== lang);
    }
    // the title and subtitle in the chosen language, when the handout has it; else back to the first
    var langs = card.getAttribute("data-langs").split(" ");
    var shown = lang && langs.indexOf(lang) !== -1 ? lang : "";
    var button = shown && card.querySelector('a.lang[data-lang="' + shown + '"]');
    var dir = button ? button.getAttribute("dir") : "";
    swapText(card.querySelector(".title"), "title", shown, dir);
    swapText(card.querySelector(".subtitle"), "subtitle", shown, dir);
    var img = card.querySelector(".thumb img");
    if (img) {
      var own = lang && img.getAttribute("data-thumb-" + lang.toLowerCase());
      var first = img.getAttribute("data-first") || img.getAttribute("src");
      img.setAttribute("data-first", first);
      img.setAttribute("src", own || first);
    }
    // the thumbnail opens the chosen language's PDF only when that copy is current
    var thumb = card.querySelector("a.thumb");
    if (thumb) {
      var href = lang && thumb.getAttribute("data-href-" + lang.toLowerCase());
      var firstHref = thumb.getAttribute("data-first-href") || thumb.getAttribute("href");
      thumb.setAttribute("data-first-href", firstHref);
      thumb.setAttribute("href", href || firstHref);
    }
  }

  function apply() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var cond = condition ? condition.value : "";
    var lang = language.value;
    var layout = kind.value;
    var shown = 0;
    cards.forEach(function (card) {
      var visible = matches(card, words, cond, lang, layout);
      card.hidden = !visible;
      if (visible) {
        shown += 1;
      }
      showLanguage(card, lang);
    });
    count.textContent = shown === cards.length
      ? "Showing all " + cards.length + " handouts"
      : "Showing " + shown + " of " + cards.length + " handouts";
    empty.hidden = shown !== 0;
  }

  function reset() {
    form.reset();
    apply();
    search.focus();
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && search.value) {
      search.value = "";
      apply();
    }
  });
  document.getElementById("clear").addEventListener("click", reset);
  // "/" jumps to the search box, as on many sites, unless the user is typing somewhere
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (event.key === "/" && tag !== "INPUT" && tag !== "SELECT" && tag !== "TEXTAREA") {
      event.preventDefault();
      search.focus();
    }
  });
  // coming back from a PDF, the browser may restore the form: show what it says
  window.addEventListener("pageshow", apply);
  apply();
})();
