// Emitted ONNX bytes are a contract: the same model gives the same graph bytes (the session cache key, and the
// proof that a refactor of the emitter or the task graphs changed no behaviour). Hashes of fixture graphs are
// pinned here; a deliberate change to graph construction updates them from
// `node --import tsx test/support/graph-hashes.ts` and says why in the commit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureGraphHashes } from '../support/graph-hashes';

/** Hashes emitted by fd5371f, before the lowering table and the shared graph memo; tied-embedding gradient
 * graphs (grad-all of tiny-world) and every-op re-pinned when autodiff began scattering a lookup's gradient into
 * the other cotangent of the same tensor instead of into zeros plus an Add (perftrain). */
const PINNED: Record<string, string> = {
  'qwen2/float32/forward': '3faeb842038040d54ee5f427d116d89612d1b0b921e9aac033174ca358352260',
  'qwen2/float32/forward-last-cache': '1753a8c4d67388f682ea5305b3db2292ec351676aae5ecfc238147515d053d1f',
  'qwen2/float32/forward-edit': '6c996643bc6a1bc3b613f2667999fa122d7514936f6cb756db3fdfab9d6db6d7',
  'qwen2/float32/forward-last-cache-edit': 'dd93716e1376ee068fae575fe9cd400bbf4178a15700d0f533a560b994e6dee5',
  'qwen2/float32/score': 'a61bd3a5727d4ac9f76752e0e2a48da7d9c4d287cd5fd6b7abc44c4ad63cd35b',
  'qwen2/float32/score-edit': '9e02004ace93a55d95cf587814dadc53979b7b1f607d901b9513102b57c71de0',
  'qwen2/float32/grad-all': 'ba3d489ff30ca20860b5b39a8843764173f2a81acdd2cd7e0e2ee036d1036314',
  'qwen2/float32/grad-linears': '613aa789e69d121c6a67dee15889b5e0da96fdf78b91ab6cb73c45c5d2f37939',
  'qwen2/float32/capture': 'a50d17d6ff3aeabd8b46158c6ddf6fc9945928d2b69e9e75bc9fbaeb550d96f8',
  'qwen2/float64/forward': 'bb28f9f245111204269d615a03419ffea90fcbc03648a7e60f2804f39f78285f',
  'qwen2/float64/forward-last-cache': '85e024fb102cc5ed0ca8454b96e44144eda0cfef54c6ea402be17deabb4ffda2',
  'qwen2/float64/forward-edit': '89b54fbe701330d42e8d9b511d2762fda3a6367fb358fa2f1fb64c931af09b88',
  'qwen2/float64/forward-last-cache-edit': '81da175c427ed92eb71017161bd70938bc74331503b764fc29e2a73276a79d04',
  'qwen2/float64/score': 'be4e9c0b5d41f29e2bd9e65965a046e398ac2c4ae3e8725668c91a880c7c6979',
  'qwen2/float64/score-edit': '0f75c4519e1d1aa230cc3317f9c35266d8569f4543b22a6c957dbe39a3c44640',
  'qwen2/float64/grad-all': 'de497b2b499c78abbd5431205b724ba936e0acf38a370abdfc6221fbaa7b8e30',
  'qwen2/float64/grad-linears': 'cfdd1436b1390d0c8f3c76d012d35f455dff34b87658a40d1a1d36ec5e306160',
  'qwen2/float64/capture': '78187176b0404baf500d5797632d2107255538c767332b305416a9fcba9cfc95',
  'tiny-world/float32/forward': '6992e8f5967f831b7f81126eac8a244648b2a6a994622ed2a149644be3daa1f7',
  'tiny-world/float32/forward-last-cache': '781446a438b4e8d16c09b2cd2af6fea8f06ff31f25dab47986a2678034a43053',
  'tiny-world/float32/forward-edit': '4fb89c131346830ff299fcd7ad2401402cf88687be36036fa591945051ae8f54',
  'tiny-world/float32/forward-last-cache-edit':
    '9c1adffec8b576924e4c20d9c6992e50fa83e632b4e3b652307027a9eb91f654',
  'tiny-world/float32/score': 'd045643403d23fcff51d97cce4f55ec08a39317f1d46069267afefa8927e1ea4',
  'tiny-world/float32/score-edit': 'a3726b2ac2650aa037c4c43436f16dbf7e5468008adaadf819ef04595382a31f',
  'tiny-world/float32/grad-all': '58daee1339ad78ed4cff8a91cc4dcc7dda8ffcb11ac86361075f490d86da4f0e',
  'tiny-world/float32/grad-linears': '48cec206fc90bc0250a0eda9b67bb803c79d649202e0191c3103cd5be69dd9e1',
  'tiny-world/float32/capture': '994035328889fe47afe5ecdecc96df44c9efc32097b380025553f2d8fb6e60e7',
  'tiny-world/float64/forward': 'b0ffa56a91166661927b50f8a3fcd40f7a0d8929849c7ff85f64b7b7bfcc7e6a',
  'tiny-world/float64/forward-last-cache': '5d623ef2a7059b0d6d04b40f8b0643a53617728de677c787da4f1f685827f6d6',
  'tiny-world/float64/forward-edit': 'defdfea7b7af0082755930cb85e0d2b7acc17d2920e0c60fa5b0c1a3104fa143',
  'tiny-world/float64/forward-last-cache-edit':
    '6c3c04d7d5aa636ffaa8984a3779b250409b7ad75eb1bf929aceb1e9336a9e56',
  'tiny-world/float64/score': '360a0c73a0a35a2ba41555125914716b2b1acd0b27372999c9ae5951b5db2851',
  'tiny-world/float64/score-edit': 'd3d3b322c07bce687d3b5794c8d50af49a57f435cf62690240f5e59f979f3944',
  'tiny-world/float64/grad-all': '3c19f29df8dfc943056112bac4b893c3bd41a97357401bfc23e34d869394b652',
  'tiny-world/float64/grad-linears': '00abc593e2cf056521cdd00136697e6dd5bf4f2ee6117e5658ebc4cb5cbaf8b3',
  'tiny-world/float64/capture': 'cf522a5499e06d28f66a18d1c099a42320afcaf047235ceda51510afde9ec59f',
  'every-op/float64': '3b77c0c732a5de9b3ef0bea4ac7fb06bfed911349eab14230e9c96aa69e8535b',
};

test('fixture models emit byte-identical forward, scoring, gradient and capture graphs', async () => {
  const actual = await fixtureGraphHashes();
  const changed = Object.keys(PINNED).filter((k) => actual[k] !== PINNED[k]);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(PINNED).sort(), 'the set of fixture graphs');
  assert.deepEqual(changed, [], 'graphs whose emitted bytes changed');
});
