// WebKitGTK reports the POSIX locale of LANG=C (or POSIX) as navigator.language "C", a tag Intl
// refuses with a RangeError; a library that hands navigator.language to Intl (uPlot does, as it
// loads) would then stop the whole app. Stand in a valid tag for it. main.tsx imports this
// module first, so it runs before any other.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
}

export {};
