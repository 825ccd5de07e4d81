#!/usr/bin/env bash
# Issue 14's text-encoder check: does an Embedding + LSTM pre-trained on two sources help on the third?
# For each target source: pre-train on the other two sources' training sentences, fine-tune on the
# target's training sentences (--init-from: embedding and LSTM copied, new head), and train the same
# recipe from scratch on the target's training sentences alone. All are evaluated on the target's
# sentences of the same seeded held-out 20% (never trained on); so are the pre-trained model as is
# ("zero-shot") and the default model trained on all three sources at once ("joint").
# Build first (`pnpm sentiment --help` from the root builds the app); data from DENDRITE_DATA or
# ../shared/data as for train. Usage, from apps/sentiment: scripts/transfer-experiment.sh [OUT_DIR] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/transfer}"
shift || true
targets=("${@:-amazon imdb yelp}")
read -r -a targets <<< "${targets[*]}"
cli() { node dist/main.js "$@"; }
accuracy() { cli eval --model "$1" --sources "$2" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log((JSON.parse(s).accuracy*100).toFixed(2)))'; }
mkdir -p "$out"
[ -f "$out/joint/model.json" ] || cli train --out "$out/joint" > "$out-joint.log"
echo "| target | held-out sentences | pre-trained on | zero-shot | from scratch | fine-tuned | joint (all three) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for target in "${targets[@]}"; do
  others=$(echo amazon imdb yelp | tr ' ' '\n' | grep -v "^${target}$" | paste -sd, -)
  cli train --sources "$others" --out "$out/pre-$target" > "$out-pre-$target.log"
  cli train --sources "$target" --init-from "$out/pre-$target" --out "$out/finetuned-$target" > "$out-finetuned-$target.log"
  cli train --sources "$target" --out "$out/scratch-$target" > "$out-scratch-$target.log"
  count=$(cli eval --model "$out/scratch-$target" --sources "$target" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).count))')
  echo "| $target | $count | $others | $(accuracy "$out/pre-$target" "$target")% | $(accuracy "$out/scratch-$target" "$target")% | $(accuracy "$out/finetuned-$target" "$target")% | $(accuracy "$out/joint" "$target")% |"
done
