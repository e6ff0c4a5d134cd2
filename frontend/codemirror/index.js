/* Django Lab's code editor: CodeMirror 6 with Python, bundled by esbuild into static/vendor/codemirror/codemirror.min.js.
   Rebuild with `make vendor-codemirror` (versions pinned in package.json / package-lock.json).

   window.LabEditor.create(parent, options) -> { get(), set(text), focus(), view }
     options.doc          the starting code
     options.label        the accessible name of the text box (aria-label)
     options.describedBy  the id of the help text under the editor (aria-describedby)
     options.onChange     called with the code after each edit
     options.onRun        Ctrl/Cmd-Enter
     options.onCheck      Shift-Ctrl/Cmd-Enter

   Colours come from CSS classes (classHighlighter's tok-*), so site.css themes them, light and dark,
   and nothing needs an inline style (the site's CSP allows none). Tab indents; Escape then Tab
   leaves the editor (CodeMirror's tab-focus mode). */
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { indentOnInput, bracketMatching, syntaxHighlighting, indentUnit } from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { python } from "@codemirror/lang-python";
import { classHighlighter } from "@lezer/highlight";

function create(parent, options) {
  const opts = options || {};
  const call = (fn) => (view) => { if (fn) fn(view.state.doc.toString()); return Boolean(fn); };
  const contentAttributes = { "aria-label": opts.label || "Code editor" };
  if (opts.describedBy) contentAttributes["aria-describedby"] = opts.describedBy;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc || "",
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        python(),
        syntaxHighlighting(classHighlighter),
        keymap.of([
          { key: "Mod-Enter", run: call(opts.onRun) },
          { key: "Shift-Mod-Enter", run: call(opts.onCheck) },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        EditorView.lineWrapping, // long lines wrap: nothing in a lesson scrolls sideways on a phone
        EditorView.contentAttributes.of(contentAttributes),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && opts.onChange) opts.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
  };
}

window.LabEditor = { create };
