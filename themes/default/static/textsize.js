/* dafu default theme: the text-size control (字号：标准 大 特大).
 *
 * Loaded in <head> so that a stored choice is on <html> before the page is
 * drawn, and the text does not jump. The buttons go into the page's empty
 * element #text-size once the document is parsed: without JavaScript that
 * element stays empty and nothing else depends on this file. The sizes
 * themselves are style.css's html.text-large (125 %) and html.text-larger
 * (150 %); every length there is in rem, so the whole page grows.
 *
 * ES5 with no dependencies, for the old browsers some citizens still use.
 * localStorage may be missing or refuse to work (private windows, strict
 * settings): then the choice lasts for this page only.
 */
(function () {
  'use strict';

  var KEY = 'dafu-text-size';
  var SIZES = [
    { name: 'standard', label: '标准', className: '' },
    { name: 'large', label: '大', className: 'text-large' },
    { name: 'larger', label: '特大', className: 'text-larger' }
  ];
  var root = document.documentElement;

  function load() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (e) {
      return null;
    }
  }

  function save(name) {
    try {
      window.localStorage.setItem(KEY, name);
    } catch (e) {
      /* Not kept: the choice still holds on this page. */
    }
  }

  function find(name) {
    for (var i = 0; i < SIZES.length; i++) {
      if (SIZES[i].name === name) {
        return SIZES[i];
      }
    }
    return SIZES[0];
  }

  /* Sets the class on <html>, leaving any other class alone. */
  function apply(size) {
    var classes = (' ' + root.className + ' ').replace(/\s+text-large(r)?\s+/g, ' ');
    if (size.className) {
      classes += ' ' + size.className;
    }
    root.className = classes.replace(/^\s+|\s+$/g, '').replace(/\s+/g, ' ');
  }

  var current = find(load());
  apply(current);

  function build() {
    var slot = document.getElementById('text-size');
    if (!slot || slot.getAttribute('data-ready')) {
      return;
    }
    slot.setAttribute('data-ready', '1');
    slot.setAttribute('role', 'group');
    slot.setAttribute('aria-labelledby', 'text-size-label');
    var label = document.createElement('span');
    label.id = 'text-size-label';
    label.appendChild(document.createTextNode('字号：'));
    slot.appendChild(label);
    var buttons = [];
    for (var i = 0; i < SIZES.length; i++) {
      buttons.push(button(SIZES[i], buttons, slot));
    }
  }

  function button(size, buttons, slot) {
    var b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('data-size', size.name);
    b.setAttribute('aria-pressed', size === current ? 'true' : 'false');
    b.appendChild(document.createTextNode(size.label));
    b.onclick = function () {
      current = size;
      apply(size);
      save(size.name);
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].setAttribute('aria-pressed', buttons[j] === b ? 'true' : 'false');
      }
    };
    slot.appendChild(b);
    return b;
  }

  if (document.readyState === 'loading' && document.addEventListener) {
    document.addEventListener('DOMContentLoaded', build, false);
  } else if (document.readyState !== 'loading') {
    build();
  } else if (window.attachEvent) {
    /* Old IE: no DOMContentLoaded; onload is late but works. */
    window.attachEvent('onload', build);
  }
})();
