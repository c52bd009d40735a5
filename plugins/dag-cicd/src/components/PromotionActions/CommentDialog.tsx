import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { ReactNode, useState } from 'react';

/** @public */
export interface CommentDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  /** A rejection must say why; an approval may. */
  commentRequired?: boolean;
  onConfirm: (comment: string) => void | Promise<void>;
  onClose: () => void;
}

/**
 * Asks for a comment before a decision is recorded (approve, reject,
 * request, cancel): the promotion's history keeps it.
 *
 * @public
 */
export function CommentDialog(props: CommentDialogProps) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const missing = props.commentRequired && !comment.trim();
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm(comment.trim());
      setComment('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        {props.description && (
          <DialogContentText>{props.description}</DialogContentText>
        )}
        <TextField
          id="promotion-comment"
          label="Comment"
          multiline
          minRows={3}
          fullWidth
          required={props.commentRequired}
          value={comment}
          onChange={e => setComment(e.target.value)}
          inputProps={{ maxLength: 2000 }}
          helperText={
            props.commentRequired
              ? 'Say why: the requester reads it in the history'
              : 'Optional; kept in the history'
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || missing}
          onClick={confirm}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
