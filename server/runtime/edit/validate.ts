// Validation of a hypernetwork on edit instances with frozen statistics: per instance, the edit from the
// original weights, the outer edit loss and locality KL of the meta objective, and greedy exact-match
// efficacy on the verbatim and non-verbatim propagation questions. Used during meta-training.
import { Rng } from '../../common/random';
import type { TextTokenizer } from '../../common/tokenizer';
import type { LanguageModel } from '../models/language-model';
import { answerQuestions } from './answering';
import { transformFactors } from './edit';
import { innerExample, localityRows, type OuterLoss, outerQuestions } from './episode';
import { captureFactors, normalizers } from './factors';
import type { Hypernetwork } from './hypernetwork';
import type { EditInstance } from './instances';
import { metaBatch } from './meta-batch';
import { metaLoss } from './meta-graph';

export interface ValidationResult {
  readonly loss: number;
  readonly edit_loss: number;
  readonly loc_loss: number;
  readonly efficacy_verbatim: number;
  readonly efficacy_nonverbatim: number;
  readonly instances: number;
}

export async function validateHypernet(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  net: Hypernetwork,
  instances: readonly EditInstance[],
  options: {
    outer: OuterLoss;
    cEdit: number;
    cLoc: number;
    localityTexts: readonly string[];
    localityRows: number;
    seed: number;
    signal?: AbortSignal;
    onInstance?: (done: number) => void;
  },
): Promise<ValidationResult> {
  let editLoss = 0;
  let locLoss = 0;
  const hits = { verbatim: 0, verbatimN: 0, nonverbatim: 0, nonverbatimN: 0 };
  for (const [i, instance] of instances.entries()) {
    options.signal?.throwIfAborted();
    const factors = await captureFactors(model, net, innerExample(model, tokenizer, instance, net.innerLoss));
    const edit = await transformFactors(model, net, factors, false);
    const rng = new Rng(`validation-locality:${options.seed}:${i}`);
    const batch = await metaBatch(
      model,
      outerQuestions(model, tokenizer, instance, options.outer),
      localityRows(tokenizer, options.localityTexts, instance.entities, options.localityRows, rng),
    );
    const r = await metaLoss(
      model,
      net,
      factors,
      normalizers(net, factors, false),
      batch,
      { cEdit: options.cEdit, cLoc: options.cLoc },
      false,
    );
    editLoss += r.editLoss;
    locLoss += r.locLoss;
    const asked = instance.questions.filter((q) => q.kind !== 'locality');
    const answers = await answerQuestions(model, tokenizer, asked, edit);
    asked.forEach((q, k) => {
      const ok = answers[k]?.correct ? 1 : 0;
      if (q.kind === 'verbatim') {
        hits.verbatim += ok;
        hits.verbatimN++;
      } else {
        hits.nonverbatim += ok;
        hits.nonverbatimN++;
      }
    });
    options.onInstance?.(i + 1);
  }
  const n = Math.max(1, instances.length);
  return {
    loss: (options.cEdit * editLoss + options.cLoc * locLoss) / n,
    edit_loss: editLoss / n,
    loc_loss: locLoss / n,
    efficacy_verbatim: hits.verbatimN ? hits.verbatim / hits.verbatimN : 0,
    efficacy_nonverbatim: hits.nonverbatimN ? hits.nonverbatim / hits.nonverbatimN : 0,
    instances: instances.length,
  };
}
