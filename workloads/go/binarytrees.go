// binarytrees.go owns the binary-trees kernel as ../README.md writes it, single-threaded:
// every node is its own heap allocation (a *treeNode), trees are built bottom-up, checked by
// counting nodes, and dropped to the garbage collector right after their check, while one
// long-lived tree stays alive throughout.
// It must not pool, reuse or arena-allocate nodes, tune the garbage collector, split the work
// across goroutines, or know about timing and output.
package main

// treeNode is one node; a leaf has no children.
type treeNode struct {
	left, right *treeNode
}

// bottomUpTree builds a complete tree of the given depth. The nodes escape (they are
// returned), so the Go compiler allocates each one on the heap.
func bottomUpTree(depth int) *treeNode {
	if depth > 0 {
		return &treeNode{left: bottomUpTree(depth - 1), right: bottomUpTree(depth - 1)}
	}
	return &treeNode{}
}

// check counts the tree's nodes.
func (node *treeNode) check() int64 {
	if node.left == nil {
		return 1
	}
	return 1 + node.left.check() + node.right.check()
}

const binaryTreesMinDepth = 4

// binaryTrees returns the total of every check, which is also the number of nodes allocated.
func binaryTrees(n int) int64 {
	maxDepth := max(binaryTreesMinDepth+2, n)
	stretchDepth := maxDepth + 1

	total := bottomUpTree(stretchDepth).check() // the stretch tree is garbage after this

	longLived := bottomUpTree(maxDepth)
	for depth := binaryTreesMinDepth; depth <= maxDepth; depth += 2 {
		iterations := 1 << (maxDepth - depth + binaryTreesMinDepth)
		for range iterations {
			total += bottomUpTree(depth).check()
		}
	}
	return total + longLived.check()
}

// binaryTreesKernel is kernels model binary-trees: ops = the nodes allocated = the checksum.
// Up to n = 50 the node count (below 2^(n+5) per depth, n/2 depths) fits an int64; a depth
// past about 30 would not fit in memory anyway.
var binaryTreesKernel = kernel{
	maxN: 50,
	compute: func(n int) (checksumValue, int64) {
		total := binaryTrees(n)
		return integerChecksum(total), total
	},
}
