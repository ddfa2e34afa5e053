// Swift type context descriptors for a module "TrackKitSwift" with a class "Session" and a
// nested struct "Session.Config", laid out as the Swift 5 ABI describes them, so the reader of
// __swift5_types can be tested without a Swift compiler.
	.section	__TEXT,__const
	.p2align	2
Lmodule_desc:
	.long	0x00000000			// flags: kind 0 (module)
	.long	0				// parent: none
	.long	Lmodule_name-(Lmodule_desc+8)	// name
Lclass_desc:
	.long	0x80000050			// flags: kind 16 (class), unique
	.long	Lmodule_desc-(Lclass_desc+4)	// parent: the module
	.long	Lclass_name-(Lclass_desc+8)	// name
	.long	0				// access function
	.long	0				// fields
Lstruct_desc:
	.long	0x00000051			// flags: kind 17 (struct), unique
	.long	Lclass_desc-(Lstruct_desc+4)	// parent: the class
	.long	Lstruct_name-(Lstruct_desc+8)	// name
	.long	0
	.long	0
Lmodule_name:
	.asciz	"TrackKitSwift"
Lclass_name:
	.asciz	"Session"
Lstruct_name:
	.asciz	"Config"

	.section	__TEXT,__swift5_types
	.p2align	2
	.long	Lclass_desc-.
	.long	Lstruct_desc-.
