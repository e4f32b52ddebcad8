/** Desktop notifications for new messages while the window is not in front. */
export class Notifier {
  private _asked = false

  show(title: string, body: string, onclick?: () => void): void {
    if (typeof Notification === 'undefined') return
    if (Notification.permission === 'default' && !this._asked) {
      this._asked = true
      void Notification.requestPermission()
      return
    }
    if (Notification.permission !== 'granted') return
    const n = new Notification(title, { body, tag: title })
    n.onclick = () => {
      window.focus()
      onclick?.()
      n.close()
    }
  }
}
