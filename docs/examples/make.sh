#!/bin/sh
# Regenerate the example PDFs of `chainrule diff --format latex --standalone`:
#   sh docs/examples/make.sh        (from anywhere; needs chainrule and pdflatex on PATH)
set -eu
cd "$(dirname "$0")"

make_pdf() {  # NAME, then the arguments of chainrule diff
    name=$1
    shift
    chainrule diff "$@" --format latex --standalone -o "$name.tex"
    pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >/dev/null
    rm -f "$name.aux" "$name.log"
}

make_pdf sigmoid "1/(1+exp(-(w*x+b)))" x
make_pdf product "x^2 sin x" x
make_pdf quotient "(x^2+1)/(x-1)" x
make_pdf x-to-the-x "x^x" x
make_pdf sqrt-times-log "sqrt(1+x^2) ln(3x)" x

# a batch: one problem a line on standard input, numbered in one document
printf '%s\n' "x^2 sin x" "(x^2+1)/(x-1)" "tan(3x^2)" "e^(2x) cos x" "x^2 + y^2 = 25" |
    chainrule diff - x --format latex --standalone -o batch.tex
pdflatex -interaction=nonstopmode -halt-on-error batch.tex >/dev/null
rm -f batch.aux batch.log
