// The search page (/search/): Pagefind's own UI over the archive's index.
// The index is in parts (pagefind/shards.json lists them, newest first); the
// newest is the UI's own bundle and the others are merged into it.  The query
// and the order are in the page's address (?q=...&sort=date), so a search can
// be shared as a link.
(function () {
  "use strict";
  var box = document.getElementById("search");
  var order = document.getElementById("search-order");
  var index = box.getAttribute("data-index");
  var params = new URLSearchParams(location.search);
  var byDate = params.get("sort") === "date";

  function status(text) {
    box.textContent = "";
    var line = document.createElement("p");
    line.className = "search-status";
    line.textContent = text;
    box.appendChild(line);
  }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) {
        node.setAttribute(name, attributes[name]);
      });
      node.onload = resolve;
      node.onerror = function () { reject(new Error(tag)); };
      document.head.appendChild(node);
    });
  }

  // The address of this page for the current query and order.
  function address(query, sortByDate) {
    var next = new URLSearchParams();
    if (query) { next.set("q", query); }
    if (sortByDate) { next.set("sort", "date"); }
    var search = next.toString();
    return location.pathname + (search ? "?" + search : "");
  }

  function showOrder(query) {
    if (!order) { return; }
    order.textContent = byDate ? "按相关度排列" : "按日期排列（最新在前）";
    order.setAttribute("href", address(query, !byDate));
  }

  // The index has each Han character as a word (see newscrawl/formats/jekyll/search.py):
  // a query is looked up as the exact sequence of its characters, so 基站 finds every
  // post that contains 基站, whatever the browser's word segmenter makes of it.  Letters
  // and digits are cut apart as the index cuts them (5G: 5 and g).  Several terms
  // (人民币 汇率) must each be in the post, not side by side.
  var HAN = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;
  function processTerm(term) {
    var terms = term.replace(/["\u201c\u201d]/g, " ").trim().split(/\s+/).filter(Boolean);
    var words = terms.map(function (one) {
      return one.replace(HAN, " $1 ")
        .replace(/([A-Za-z])(?=[0-9])|([0-9])(?=[A-Za-z])/g, "$1$2 ")
        .replace(/\s+/g, " ").trim();
    });
    if (words.length === 1 && words[0].indexOf(" ") > 0) { return "\"" + words[0] + "\""; }
    return words.join(" ");
  }

  function start(bundles) {
    box.textContent = "";
    var options = {
      element: "#search",
      bundlePath: bundles[0],
      mergeIndex: bundles.slice(1).map(function (bundle) { return {bundlePath: bundle}; }),
      baseUrl: box.getAttribute("data-base"),
      showImages: false,
      showSubResults: false,
      autofocus: true,
      processTerm: processTerm,
      openFilters: ["媒体"],
      translations: {placeholder: "搜索文章：标题、正文、媒体"}
    };
    if (byDate) { options.sort = {date: "desc"}; }
    var ui = new PagefindUI(options);
    var query = params.get("q") || "";
    showOrder(query);
    if (query) { ui.triggerSearch(query); }
    box.addEventListener("input", function (event) {
      if (event.target.tagName !== "INPUT" || event.target.type === "checkbox") { return; }
      history.replaceState(null, "", address(event.target.value, byDate));
      showOrder(event.target.value);
    });
  }

  fetch(index + "shards.json", {cache: "no-cache"})
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (shards) {
      var bundles = (shards.bundles || []).map(function (bundle) { return index + bundle; });
      if (!bundles.length) {
        status("存档里还没有可以搜索的文章。");
        return null;
      }
      return Promise.all([
        load("link", {rel: "stylesheet", href: bundles[0] + "pagefind-ui.css"}),
        load("script", {src: bundles[0] + "pagefind-ui.js"})
      ]).then(function () { start(bundles); });
    })
    .catch(function () { status("这个存档没有搜索索引。"); });
})();
