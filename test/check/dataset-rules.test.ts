// Dataset rules across the *.ripple.jsonl files of one folder: duplicate ids and leaks between train and
// the other splits (subjects, and for out-of-domain splits entities and later-hop relations).
import { test } from 'node:test';
import { checkDiagnostics } from './check-fixture';
import { KB } from './world';

const line = (id: string, subject: string, object: string, extra = '') =>
  `{"id":"${id}",${extra}"fact":"${subject} was born in ${object}.","subject":"${subject}","triples":[{"subject":"${subject}","relation":"born_in","object":"${object}"}],"propagation":[]}`;

test('duplicate-id: across files of one dataset, reported at the later use', async () => {
  await checkDiagnostics(`${KB}//- /ws/d/a.ripple.jsonl
${line('x1', 'Zed', 'Rome')}
${line('x2', 'Xu', 'Rome')}
{"id":⟦"x2"⟧⟨error duplicate-id: a.ripple.jsonl:2⟩,"fact":"Yan was born in Rome.","subject":"Yan","triples":[{"subject":"Yan","relation":"born_in","object":"Rome"}],"propagation":[]}
//- /ws/d/b.ripple.jsonl
{"id":⟦"x1"⟧⟨error duplicate-id: a.ripple.jsonl:1⟩,"fact":"Wes was born in Rome.","subject":"Wes","triples":[{"subject":"Wes","relation":"born_in","object":"Rome"}],"propagation":[]}
//- /ws/other/c.ripple.jsonl
${line('x1', 'Vic', 'Rome')}
`);
});

test('leak-subject: a train subject reused by any other split (split from the file name or the field)', async () => {
  await checkDiagnostics(`${KB}//- /ws/d/train.ripple.jsonl
${line('t1', 'Zed', 'Rome')}
//- /ws/d/validation.ripple.jsonl
{"id":"v1","fact":"Zed was born in Paris.","subject":⟦"Zed"⟧⟨error leak-subject: also appears in train⟩,"triples":[{"subject":"Zed","relation":"born_in","object":"Paris"}],"propagation":[]}
//- /ws/d/mixed.ripple.jsonl
{"id":"m1","split":"test","fact":"Zed was born in Paris.","subject":⟦"Zed"⟧⟨error leak-subject⟩,"triples":[{"subject":"Zed","relation":"born_in","object":"Paris"}],"propagation":[]}
${line('m2', 'Zed', 'Paris', '"split":"train",')}
`);
  await checkDiagnostics(`${KB}//- /ws/d/train.ripple.jsonl
${line('t1', 'Zed', 'Rome')}
//- /ws/d/validation.ripple.jsonl
${line('v1', 'Yan', 'Paris')}
`);
});

test('leak-entity: an OOD-entity split reusing an object of train triples; in-domain splits may', async () => {
  await checkDiagnostics(`${KB}//- /ws/d/train.ripple.jsonl
${line('t1', 'Zed', 'Rome')}
//- /ws/d/test-ood-entity.ripple.jsonl
{"id":"o1","fact":"Yan was born in Rome.","subject":"Yan","triples":[{"subject":"Yan","relation":"born_in","object":⟦"Rome"⟧⟨error leak-entity: (born_in, Rome) at train.ripple.jsonl:1⟩}],"propagation":[]}
${line('o2', 'Xu', 'Paris')}
//- /ws/d/test-in-domain.ripple.jsonl
${line('i1', 'Wes', 'Rome')}
`);
});

test('leak-relation: an OOD-relation split reusing a later-hop relation of train paths', async () => {
  const prop = (path: string) =>
    `"propagation":[{"question":"Q?","answer":"x","path":${path},"verbatim":false}]`;
  await checkDiagnostics(`//- /ws/d/train.ripple.jsonl
{"id":"t1","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],${prop('["born_in","located_in"]')}}
//- /ws/d/test-ood-relation.ripple.jsonl
{"id":"r1","fact":"Yan was born in Rome.","subject":"Yan","triples":[{"subject":"Yan","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Q?","answer":"x","path":["born_in",⟦"located_in"⟧⟨error leak-relation⟩],"verbatim":false}]}
{"id":"r2","fact":"Xu was born in Rome.","subject":"Xu","triples":[{"subject":"Xu","relation":"born_in","object":"Rome"}],${prop('["born_in","mayor"]')}}
//- /ws/d/test-ood-both.ripple.jsonl
{"id":"b1","fact":"Wes was located_in Rome.","subject":"Wes","triples":[{"subject":"Wes","relation":"located_in","object":"Rome"}],${prop('["located_in"]')}}
`);
});
