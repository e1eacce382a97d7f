/* The report form (loaded only on that page; no framework, no build). Without it the plain form still works.
   - Photos: each chosen photo is shrunk in the browser (long side 1600 px, JPEG quality 0.8) and put back into
     the file input, so a slow connection sends a few hundred KB, not 5 MB; previews are drawn on canvases
     (the page's CSP allows no blob: images). If anything fails the original files are sent (the server shrinks
     them anyway).
   - Location: "use my location" asks the phone after a tap, or at once when the permission was given before.
   - "Me too": once a category and a position are known, the similar open reports nearby (and the places near
     the position) are fetched with htmx and shown before the rider sends the report. */
(function () {
  "use strict";
  if (window.nuanxinReportForm) return;
  window.nuanxinReportForm = true;
  var MAX_SIDE = 1600, QUALITY = 0.8, THUMB = 96;

  function decode(file) {
    if (window.createImageBitmap) return createImageBitmap(file);
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = reject;
        img.src = reader.result;  // a data: URL (allowed by the CSP)
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function draw(picture, side) {
    var w = picture.width, h = picture.height, scale = Math.min(1, side / Math.max(w, h));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(w * scale));
    canvas.height = Math.max(1, Math.round(h * scale));
    canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  function shrink(file, previews) {
    if (!/^image\//.test(file.type)) return Promise.resolve(file);
    return decode(file).then(function (picture) {
      var thumb = draw(picture, THUMB);
      thumb.className = "photo-preview";
      thumb.setAttribute("role", "img");
      thumb.setAttribute("aria-label", file.name);
      previews.appendChild(thumb);
      var canvas = draw(picture, MAX_SIDE);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function setUpPhotos(form) {
    var input = form.querySelector('input[name="photos"]');
    var previews = form.querySelector("[data-previews]");
    if (!input || !previews || !window.DataTransfer || !window.Promise) return;
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      previews.textContent = "";
      if (!files.length) return;
      form.dataset.busy = "1";
      Promise.all(files.map(function (file) { return shrink(file, previews); })).then(function (smaller) {
        try {
          var transfer = new DataTransfer();
          smaller.forEach(function (file) { transfer.items.add(file); });
          input.files = transfer.files;
        } catch (e) { /* an old browser: the originals go, the server shrinks them */ }
      }).finally(function () { delete form.dataset.busy; });
    });
    form.addEventListener("submit", function (event) {  // wait for the shrinking, then send
      if (!form.dataset.busy) return;
      event.preventDefault();
      var wait = setInterval(function () {
        if (form.dataset.busy) return;
        clearInterval(wait);
        form.submit();
      }, 100);
    });
  }

  function lookForSimilar(form) {
    var category = form.querySelector('input[name="category"]:checked');
    var link = (form.elements.map_link.value || "").trim();
    var lat = form.elements.latitude.value, lng = form.elements.longitude.value;
    if (!category || !(link || (lat && lng)) || !window.htmx) return;
    var params = new URLSearchParams({ category: category.value });
    if (link) { params.set("map_link", link); } else { params.set("latitude", lat); params.set("longitude", lng); }
    var place = form.querySelector('input[name="place"]:checked');
    if (place) params.set("place", place.value);
    window.htmx.ajax("GET", form.dataset.similarUrl + "?" + params.toString(), { target: "#similar", swap: "outerHTML" })
      .then(function () { form.elements.confirmed_new.value = "1"; });  // seen before sending: no second step
  }

  function setUpLocation(form) {
    var box = form.querySelector("[data-locate-box]");
    if (!box || !navigator.geolocation) return;
    var status = box.querySelector("[data-locate-status]");
    var button = box.querySelector("[data-locate-button]");
    box.hidden = false;
    function locate() {
      status.textContent = status.dataset.asking;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = status.dataset.found.replace("{metres}", String(Math.round(position.coords.accuracy)));
        button.disabled = false;
        lookForSimilar(form);
      }, function () {
        status.textContent = status.dataset.failed;
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
    button.addEventListener("click", locate);
    if (navigator.permissions && navigator.permissions.query && !form.elements.latitude.value) {
      navigator.permissions.query({ name: "geolocation" }).then(function (result) {
        if (result.state === "granted") locate();  // allowed before: no question, no tap needed
      }).catch(function () { /* not supported: the button is there */ });
    }
  }

  function setUp() {
    var form = document.getElementById("report-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    setUpPhotos(form);
    setUpLocation(form);
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "category" || name === "map_link") lookForSimilar(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
