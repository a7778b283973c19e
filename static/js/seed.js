/* The limited-edition draw: prefill the fan's seed with 16 random characters made by the
   browser (crypto.getRandomValues), so the shop cannot know it in advance. A seed the fan
   typed (or one the page came back with) is never replaced; without this script an empty
   field is fine: the server then makes the seed and the public draw log says so. */
(function () {
  "use strict";

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  var LENGTH = 16;
  // The largest multiple of the alphabet's size under 256: bytes above it are skipped,
  // so every character is equally likely.
  var LIMIT = 256 - (256 % ALPHABET.length);

  function randomSeed() {
    var seed = "";
    var bytes = new Uint8Array(64);
    while (seed.length < LENGTH) {
      window.crypto.getRandomValues(bytes);
      for (var i = 0; i < bytes.length && seed.length < LENGTH; i += 1) {
        if (bytes[i] < LIMIT) { seed += ALPHABET.charAt(bytes[i] % ALPHABET.length); }
      }
    }
    return seed;
  }

  if (!window.crypto || !window.crypto.getRandomValues) { return; }
  Array.prototype.slice.call(document.querySelectorAll("input[data-seed]")).forEach(
    function (input) {
      if (!input.value) { input.value = randomSeed(); }
    }
  );
}());
