//! A layered layout of a directed graph whose nodes are boxes of known
//! size (the phases), drawn top to bottom.
//!
//! Nodes are put in layers by breadth-first distance from the root (nodes
//! the root does not reach follow, from the first of them in order). Each
//! layer is a *rank*, and between two ranks lies a rank of edge labels:
//! every edge is a chain through the ranks it crosses, with a virtual node
//! per rank and its label as the virtual node of one of them, so labels are
//! placed like boxes and never overlap one another or a node. An edge
//! between two nodes of one layer dips into the label rank below and comes
//! back up. The order within ranks follows barycenter sweeps; x positions
//! pull each box towards its neighbours while keeping boxes apart.
//!
//! The layout knows nothing of phases: a node is a size. A nested phase or
//! a region would be laid out first (recursively, with this same function)
//! and enter its parent's graph as one node of the size it came out at.

/// The size of a box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

/// An edge to lay out, with the size of its label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeSpec {
    pub from: usize,
    pub to: usize,
    pub label: Size,
}

/// What to lay out: `from == to` edges are not drawn (a caller shows them
/// otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Size>,
    pub edges: Vec<EdgeSpec>,
    /// The node the first layer holds.
    pub root: usize,
}

/// A placed box; `x`, `y` is its top left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// A placed edge: the points its line passes through, from its source's
/// border to its target's, and its label's box (the line passes along the
/// label's left side).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePath {
    pub points: Vec<(f64, f64)>,
    pub label: Rect,
}

/// The result: one rectangle per node, one path per edge (`None` for a
/// `from == to` edge), and the size of the whole drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub nodes: Vec<Rect>,
    pub edges: Vec<Option<EdgePath>>,
    pub width: f64,
    pub height: f64,
}

/// Space kept around the drawing.
pub const MARGIN: f64 = 20.0;
/// Horizontal space between two boxes of a rank.
const GAP_X: f64 = 28.0;
/// Vertical space between two ranks.
const GAP_Y: f64 = 18.0;
/// The width of a virtual node that carries no label.
const THIN: f64 = 10.0;

/// One box of a rank: a node or a piece of an edge.
#[derive(Debug, Clone, Copy)]
struct Vertex {
    rank: usize,
    w: f64,
    h: f64,
}

/// Lays `graph` out.
pub fn layout(graph: &Graph) -> Layout {
    let n = graph.nodes.len();
    let layers = layers(graph);
    let mut vertices: Vec<Vertex> = graph
        .nodes
        .iter()
        .zip(&layers)
        .map(|(s, &l)| Vertex {
            rank: 2 * l,
            w: s.w,
            h: s.h,
        })
        .collect();
    // Per edge: the vertices of its chain, source and target included, and
    // which of them carries the label.
    let mut chains: Vec<Option<(Vec<usize>, usize)>> = Vec::with_capacity(graph.edges.len());
    for e in &graph.edges {
        let (Some(&lu), Some(&lv)) = (layers.get(e.from), layers.get(e.to)) else {
            chains.push(None);
            continue;
        };
        if e.from == e.to {
            chains.push(None);
            continue;
        }
        let (ru, rv) = (2 * lu, 2 * lv);
        let ranks: Vec<usize> = if ru == rv {
            vec![ru + 1]
        } else if ru < rv {
            (ru + 1..rv).collect()
        } else {
            (rv + 1..ru).rev().collect()
        };
        let label_at = (ranks.len() - 1) / 2;
        let mut chain = vec![e.from];
        let mut label = 0;
        for (i, rank) in ranks.into_iter().enumerate() {
            let (w, h) = if i == label_at {
                (e.label.w, e.label.h)
            } else {
                (THIN, 1.0)
            };
            if i == label_at {
                label = chain.len();
            }
            chain.push(vertices.len());
            vertices.push(Vertex { rank, w, h });
        }
        chain.push(e.to);
        chains.push(Some((chain, label)));
    }
    let rank_count = vertices.iter().map(|v| v.rank + 1).max().unwrap_or(0);
    // Neighbours in the rank above and below, through chains.
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); vertices.len()];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); vertices.len()];
    for (chain, _) in chains.iter().flatten() {
        for pair in chain.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (ra, rb) = (vertices[a].rank, vertices[b].rank);
            if ra < rb {
                down[a].push(b);
                up[b].push(a);
            } else if rb < ra {
                down[b].push(a);
                up[a].push(b);
            }
        }
    }
    let mut ranks: Vec<Vec<usize>> = vec![Vec::new(); rank_count];
    for (i, v) in vertices.iter().enumerate() {
        ranks[v.rank].push(i);
    }
    order(&mut ranks, &up, &down);
    let xs = positions(&ranks, &vertices, &up, &down);

    // y: each rank as tall as its tallest box, boxes centred in it.
    let mut rank_top = vec![0.0; rank_count];
    let mut y = MARGIN;
    for (r, members) in ranks.iter().enumerate() {
        rank_top[r] = y;
        let h = members
            .iter()
            .map(|&i| vertices[i].h)
            .fold(0.0_f64, f64::max);
        y += h + GAP_Y;
    }
    let rank_height = |r: usize| -> f64 {
        ranks[r]
            .iter()
            .map(|&i| vertices[i].h)
            .fold(0.0_f64, f64::max)
    };
    let rects: Vec<Rect> = vertices
        .iter()
        .enumerate()
        .map(|(i, v)| Rect {
            x: xs[i],
            y: rank_top[v.rank] + (rank_height(v.rank) - v.h) / 2.0,
            w: v.w,
            h: v.h,
        })
        .collect();

    // Ports: the ends of edges spread along a node's top and bottom sides,
    // in the order of the x of what they lead to.
    let mut ends: Vec<Vec<(bool, f64, usize, bool)>> = vec![Vec::new(); n];
    for (e, chain) in chains.iter().enumerate() {
        let Some((chain, _)) = chain else { continue };
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        let (next, prev) = (chain[1], chain[chain.len() - 2]);
        let below = |a: usize, b: usize| vertices[b].rank > vertices[a].rank;
        ends[first].push((below(first, next), center(&rects[next]), e, true));
        ends[last].push((below(last, prev), center(&rects[prev]), e, false));
    }
    let mut port: Vec<[(f64, f64); 2]> = vec![[(0.0, 0.0); 2]; graph.edges.len()];
    for (node, list) in ends.iter_mut().enumerate() {
        let r = rects[node];
        for bottom in [false, true] {
            let mut side: Vec<&(bool, f64, usize, bool)> =
                list.iter().filter(|end| end.0 == bottom).collect();
            side.sort_by(|a, b| a.1.total_cmp(&b.1));
            let count = side.len() as f64;
            for (k, &&(_, _, e, is_source)) in side.iter().enumerate() {
                let x = r.x + r.w * (k as f64 + 1.0) / (count + 1.0);
                let y = if bottom { r.y + r.h } else { r.y };
                port[e][usize::from(!is_source)] = (x, y);
            }
        }
    }
    let edges = chains
        .iter()
        .enumerate()
        .map(|(e, chain)| {
            let (chain, label) = chain.as_ref()?;
            let mut points = vec![port[e][0]];
            for &v in &chain[1..chain.len() - 1] {
                let r = rects[v];
                points.push((
                    r.x + if v == chain[*label] { 0.0 } else { r.w / 2.0 },
                    r.y + r.h / 2.0,
                ));
            }
            points.push(port[e][1]);
            Some(EdgePath {
                points,
                label: rects[chain[*label]],
            })
        })
        .collect();
    let width = rects.iter().map(|r| r.x + r.w).fold(0.0_f64, f64::max) + MARGIN;
    let height = rects.iter().map(|r| r.y + r.h).fold(0.0_f64, f64::max) + MARGIN;
    Layout {
        nodes: rects.into_iter().take(n).collect(),
        edges,
        width,
        height,
    }
}

fn center(r: &Rect) -> f64 {
    r.x + r.w / 2.0
}

/// The layer of each node: breadth-first distance from the root; nodes it
/// does not reach are layered from the first of them, below the others.
fn layers(graph: &Graph) -> Vec<usize> {
    let n = graph.nodes.len();
    let mut out: Vec<Option<usize>> = vec![None; n];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &graph.edges {
        if e.from < n && e.to < n && e.from != e.to {
            next[e.from].push(e.to);
        }
    }
    let mut start = graph.root.min(n.saturating_sub(1));
    let mut base = 0;
    if n == 0 {
        return Vec::new();
    }
    loop {
        let mut queue = std::collections::VecDeque::from([start]);
        out[start] = Some(base);
        let mut deepest = base;
        while let Some(u) = queue.pop_front() {
            let d = out[u].unwrap_or(base);
            deepest = deepest.max(d);
            for &v in &next[u] {
                if out[v].is_none() {
                    out[v] = Some(d + 1);
                    queue.push_back(v);
                }
            }
        }
        match out.iter().position(Option::is_none) {
            Some(i) => {
                start = i;
                base = deepest + 1;
            }
            None => break,
        }
    }
    out.into_iter().map(|l| l.unwrap_or(0)).collect()
}

/// Barycenter sweeps, down then up, a few times.
fn order(ranks: &mut [Vec<usize>], up: &[Vec<usize>], down: &[Vec<usize>]) {
    let mut pos = vec![0.0; up.len()];
    let index = |ranks: &[Vec<usize>], pos: &mut Vec<f64>| {
        for rank in ranks {
            for (k, &v) in rank.iter().enumerate() {
                pos[v] = k as f64;
            }
        }
    };
    index(ranks, &mut pos);
    for _ in 0..6 {
        for r in 1..ranks.len() {
            sort_by_barycenter(&mut ranks[r], up, &pos);
            index(ranks, &mut pos);
        }
        for r in (0..ranks.len().saturating_sub(1)).rev() {
            sort_by_barycenter(&mut ranks[r], down, &pos);
            index(ranks, &mut pos);
        }
    }
}

fn sort_by_barycenter(rank: &mut [usize], neighbours: &[Vec<usize>], pos: &[f64]) {
    let keys: Vec<(usize, f64)> = rank
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            let ns = &neighbours[v];
            let key = if ns.is_empty() {
                k as f64
            } else {
                ns.iter().map(|&u| pos[u]).sum::<f64>() / ns.len() as f64
            };
            (v, key)
        })
        .collect();
    let mut sorted = keys;
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (slot, (v, _)) in rank.iter_mut().zip(sorted) {
        *slot = v;
    }
}

/// The left x of every vertex: packed ranks, then a few rounds of pulling
/// each box to the mean centre of its neighbours, never closer than
/// `GAP_X` to the box before it, each rank kept centred on where its boxes
/// want to be.
fn positions(
    ranks: &[Vec<usize>],
    vertices: &[Vertex],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
) -> Vec<f64> {
    let mut x = vec![0.0; vertices.len()];
    for rank in ranks {
        let mut at = MARGIN;
        for &v in rank {
            x[v] = at;
            at += vertices[v].w + GAP_X;
        }
    }
    for round in 0..8 {
        let sweep: Vec<usize> = if round % 2 == 0 {
            (0..ranks.len()).collect()
        } else {
            (0..ranks.len()).rev().collect()
        };
        for r in sweep {
            let rank = &ranks[r];
            let desired: Vec<f64> = rank
                .iter()
                .map(|&v| {
                    let ns: Vec<usize> = up[v].iter().chain(&down[v]).copied().collect();
                    if ns.is_empty() {
                        x[v]
                    } else {
                        let c = ns.iter().map(|&u| x[u] + vertices[u].w / 2.0).sum::<f64>()
                            / ns.len() as f64;
                        c - vertices[v].w / 2.0
                    }
                })
                .collect();
            let mut prev_right = f64::NEG_INFINITY;
            for (k, &v) in rank.iter().enumerate() {
                let lo = prev_right + GAP_X;
                x[v] = desired[k].max(lo);
                prev_right = x[v] + vertices[v].w;
            }
            // Pushing only goes right: shift the rank back by the mean
            // push, so a crowded rank spreads both ways around its
            // neighbours rather than drifting.
            if !rank.is_empty() {
                let push = rank
                    .iter()
                    .zip(&desired)
                    .map(|(&v, d)| x[v] - d)
                    .sum::<f64>()
                    / rank.len() as f64;
                for &v in rank {
                    x[v] -= push;
                }
            }
        }
    }
    let min = x.iter().copied().fold(f64::INFINITY, f64::min);
    if min.is_finite() {
        for v in &mut x {
            *v += MARGIN - min;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(w: f64) -> Size {
        Size { w, h: 30.0 }
    }

    #[test]
    fn boxes_and_labels_never_overlap() {
        let graph = Graph {
            nodes: vec![size(80.0), size(120.0), size(60.0), size(90.0)],
            edges: vec![
                EdgeSpec {
                    from: 0,
                    to: 1,
                    label: size(100.0),
                },
                EdgeSpec {
                    from: 0,
                    to: 2,
                    label: size(100.0),
                },
                EdgeSpec {
                    from: 1,
                    to: 0,
                    label: size(70.0),
                },
                EdgeSpec {
                    from: 2,
                    to: 3,
                    label: size(50.0),
                },
                EdgeSpec {
                    from: 3,
                    to: 0,
                    label: size(50.0),
                },
                EdgeSpec {
                    from: 1,
                    to: 2,
                    label: size(50.0),
                },
                EdgeSpec {
                    from: 1,
                    to: 1,
                    label: size(50.0),
                },
            ],
            root: 0,
        };
        let l = layout(&graph);
        let mut boxes: Vec<Rect> = l.nodes.clone();
        boxes.extend(l.edges.iter().flatten().map(|e| e.label));
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        assert!(l.edges[6].is_none(), "a self-loop is not drawn as an edge");
        // The root is in the first layer, above the rest.
        assert!(l.nodes[0].y < l.nodes[1].y && l.nodes[1].y < l.nodes[3].y);
        // Every edge starts on its source's border and ends on its target's.
        for (spec, path) in graph.edges.iter().zip(&l.edges) {
            let Some(path) = path else { continue };
            let (s, t) = (l.nodes[spec.from], l.nodes[spec.to]);
            let first = path.points[0];
            let last = path.points[path.points.len() - 1];
            assert!(first.1 == s.y || first.1 == s.y + s.h);
            assert!(last.1 == t.y || last.1 == t.y + t.h);
        }
    }

    #[test]
    fn unreached_nodes_are_laid_out_too() {
        let graph = Graph {
            nodes: vec![size(50.0), size(50.0), size(50.0)],
            edges: vec![EdgeSpec {
                from: 2,
                to: 1,
                label: size(40.0),
            }],
            root: 0,
        };
        let l = layout(&graph);
        assert_eq!(l.nodes.len(), 3);
        assert!(l.nodes[2].y > l.nodes[0].y);
        assert!(l.width > 0.0 && l.height > 0.0);
    }
}
