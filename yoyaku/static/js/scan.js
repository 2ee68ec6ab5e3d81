// The QR check-in page's camera (yoyaku/console/venues/scan.py). Without this file the page still works:
// staff type the reservation ID. With it: the camera, read by the browser's BarcodeDetector where it knows
// QR codes, else by the vendored jsQR (loaded only then); or a photo chosen with the file input. What is read
// goes into the reservation ID box and the form is sent, as if typed: the server checks it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-scanner]");
    var form = document.querySelector("[data-scan-form]");
    if (!box || !form) { return; }
    var input = form.querySelector("input[name=scanned]");
    var findButton = form.querySelector("[data-scan-find]");
    var video = box.querySelector("[data-scan-video]");
    var startButton = box.querySelector("[data-scan-start]");
    var stopButton = box.querySelector("[data-scan-stop]");
    var photo = box.querySelector("[data-scan-photo]");
    var status = box.querySelector("[data-scan-status]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var decoding = null;
    var sent = false;

    function say(key) { status.textContent = key ? (box.getAttribute("data-msg-" + key) || "") : ""; }

    function nativeDetector() {
      if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
      return Promise.resolve().then(function () { return window.BarcodeDetector.getSupportedFormats(); })
        .then(function (formats) {
          return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
        }).catch(function () { return null; });  // an older or partial BarcodeDetector: jsQR instead
    }

    function loadJsQR() {
      return new Promise(function (resolve, reject) {
        if (window.jsQR) { resolve(window.jsQR); return; }
        var script = document.createElement("script");
        script.src = box.getAttribute("data-jsqr");
        script.onload = function () { if (window.jsQR) { resolve(window.jsQR); } else { reject(new Error("jsQR")); } };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }

    // One decoder for the page: a function (video, image or bitmap) -> Promise of the text read, or null.
    function decoder() {
      if (!decoding) {
        decoding = nativeDetector().then(function (detector) {
          if (detector) {
            return function (source) {
              return detector.detect(source).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
            };
          }
          return loadJsQR().then(function (jsQR) {
            return function (source) {
              var width = source.videoWidth || source.naturalWidth || source.width;
              var height = source.videoHeight || source.naturalHeight || source.height;
              if (!width || !height) { return Promise.resolve(null); }
              var scale = Math.min(1, 1280 / Math.max(width, height));  // a phone photo is big: keep it quick
              canvas.width = Math.round(width * scale);
              canvas.height = Math.round(height * scale);
              context.drawImage(source, 0, 0, canvas.width, canvas.height);
              var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
              var code = jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
              return Promise.resolve(code && code.data ? code.data : null);
            };
          });
        });
        decoding.catch(function () { decoding = null; });
      }
      return decoding;
    }

    function send(text) {
      if (sent) { return; }
      sent = true;
      stopCamera();
      say("read");
      input.value = text;
      if (typeof form.requestSubmit === "function") { form.requestSubmit(findButton); } else { form.submit(); }
    }

    function stopCamera() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }

    function scanFrames(decode) {
      if (!stream || sent) { return; }
      decode(video).then(function (text) {
        if (text) { send(text); } else { window.setTimeout(function () { scanFrames(decode); }, 150); }
      }, function () { window.setTimeout(function () { scanFrames(decode); }, 300); });
    }

    function startCamera() {
      say("starting");
      Promise.all([decoder(), navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })])
        .then(function (results) {
          stream = results[1];
          video.srcObject = stream;
          video.hidden = false;
          startButton.hidden = true;
          stopButton.hidden = false;
          return video.play().then(function () { say("aim"); scanFrames(results[0]); });
        })
        .catch(function () { stopCamera(); say("no-camera"); });
    }

    function imageOf(file) {
      if (typeof window.createImageBitmap === "function") { return window.createImageBitmap(file); }
      return new Promise(function (resolve, reject) {  // data: URLs only: the CSP allows no blob: images
        var reader = new FileReader();
        reader.onload = function () {
          var image = new Image();
          image.onload = function () { resolve(image); };
          image.onerror = reject;
          image.src = reader.result;
        };
        reader.onerror = reject;
        reader.readAsDataURL(file);
      });
    }

    box.hidden = false;
    if (navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function") {
      startButton.addEventListener("click", startCamera);
      stopButton.addEventListener("click", function () { stopCamera(); say(""); });
    } else {
      startButton.hidden = true;  // no camera in this browser (or not on HTTPS): a photo or the typed ID
    }
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file) { return; }
      say("reading");
      Promise.all([decoder(), imageOf(file)])
        .then(function (results) { return results[0](results[1]); })
        .then(function (text) { if (text) { send(text); } else { say("not-found"); } })
        .catch(function () { say("not-found"); });
    });
    window.addEventListener("pagehide", stopCamera);
  });
})();
